import ApprovedPremises
import Foundation

/// A form page as the `form` template lays it out: the error summary, then each field with its
/// label, hint and message (tied to it with `aria-describedby`), then the button.
struct FormModel: Sendable {
    struct Option: Sendable {
        let value: String
        let text: String
        let hint: String?
        let checked: Bool
        /// The input's id: the field's own for the first option (where the error summary links), else `{field}-{value}`.
        var inputID: String = ""
    }

    struct Field: Sendable {
        let id: String
        let label: String
        let hint: String?
        private(set) var error: String?
        let value: String
        let options: [Option]
        let kind: String
        // Stored, not computed: templates see only stored properties.
        let isRadios: Bool
        let isSelect: Bool
        let isTextarea: Bool
        let isInput: Bool
        private(set) var describedBy: String?

        init(id: String, label: String, hint: String?, error: String? = nil, value: String, options: [Option], kind: String) {
            self.id = id
            self.label = label
            self.hint = hint
            self.value = value
            self.options = options.enumerated().map { index, option in
                var option = option
                option.inputID = index == 0 ? id : "\(id)-\(option.value)"
                return option
            }
            self.kind = kind
            isRadios = kind == "radios"
            isSelect = kind == "select"
            isTextarea = kind == "textarea"
            isInput = ["text", "date", "time"].contains(kind)
            self.error = error
            describe()
        }

        /// Sets the error shown beside the field.
        mutating func show(_ error: String?) {
            self.error = error
            describe()
        }

        private mutating func describe() {
            let ids = [hint.map { _ in "\(id)-hint" }, error.map { _ in "\(id)-error" }].compactMap { $0 }
            describedBy = ids.isEmpty ? nil : ids.joined(separator: " ")
        }

        static func radios(_ id: String, _ label: String, hint: String? = nil, options: [Option]) -> Field {
            Field(id: id, label: label, hint: hint, value: "", options: options, kind: "radios")
        }
        static func select(_ id: String, _ label: String, hint: String? = nil, value: String?, choices: [(String, String)]) -> Field {
            Field(id: id, label: label, hint: hint, value: value ?? "",
                  options: [Option(value: "", text: "Choose…", hint: nil, checked: (value ?? "").isEmpty)]
                      + choices.map { Option(value: $0.0, text: $0.1, hint: nil, checked: $0.0 == value) }, kind: "select")
        }
        static func input(_ id: String, _ label: String, kind: String = "text", hint: String? = nil, value: String?) -> Field {
            Field(id: id, label: label, hint: hint, value: value ?? "", options: [], kind: kind)
        }
        static func textarea(_ id: String, _ label: String, hint: String? = nil, value: String?) -> Field {
            Field(id: id, label: label, hint: hint, value: value ?? "", options: [], kind: "textarea")
        }
    }

    /// Something the page says before the fields (a table of the beds not offered, say).
    struct Aside: Sendable {
        struct Row: Sendable { let cells: [String] }
        let caption: String
        let headers: [String]
        let rows: [Row]
    }

    /// A value the form sends back as it was given (which decision, which bed).
    struct Hidden: Sendable {
        let name: String
        let value: String
    }

    let heading: String
    let caption: String
    let action: String
    let formToken: String
    let submit: String
    let cancel: String
    var intro: [String] = []
    var fields: [Field]
    var hidden: [Hidden] = []
    var errors: [FormErrors.Item] = [] {
        didSet { hasErrors = !errors.isEmpty }
    }
    var aside: Aside?
    private(set) var hasErrors = false

    /// The form again with the mistakes of a refused attempt, and a new one-time token.
    func refused(_ problems: FormErrors) -> FormModel {
        var copy = FormModel(heading: heading, caption: caption, action: action, formToken: FormPost.newToken(), submit: submit, cancel: cancel,
                             intro: intro, fields: fields, hidden: hidden, aside: aside)
        copy.errors = problems.items
        copy.fields = fields.map { field in
            var field = field
            field.show(problems.message(field.id))
            return field
        }
        return copy
    }
}
