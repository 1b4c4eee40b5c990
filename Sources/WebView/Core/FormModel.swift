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
        /// How a message names the field: "the date of arrival".
        let name: String
        let hint: String?
        private(set) var error: String?
        let value: String
        let options: [Option]
        let kind: String
        // Stored, not computed: templates see only stored properties.
        let isRadios: Bool
        let isCheckboxes: Bool
        let isSelect: Bool
        let isTextarea: Bool
        let isInput: Bool
        let isDate: Bool
        /// A password: typed, never shown again (its value is never put back on the page).
        let isPassword: Bool
        /// The input's width class.
        let width: String
        /// A date field's parts, and which of them a message is about.
        let day: String, month: String, year: String
        private(set) var dayError = false, monthError = false, yearError = false
        private(set) var describedBy: String?

        init(
            id: String, label: String, name: String? = nil, hint: String?, error: String? = nil, value: String, options: [Option],
            kind: String,
            parts: (day: String, month: String, year: String) = ("", "", "")
        ) {
            self.id = id
            self.label = label
            self.name = name ?? Self.name(label)
            self.hint = hint
            self.value = value
            self.options = options.enumerated().map { index, option in
                var option = option
                option.inputID = index == 0 ? id : "\(id)-\(option.value)"
                return option
            }
            self.kind = kind
            isRadios = kind == "radios"
            isCheckboxes = kind == "checkboxes"
            isSelect = kind == "select"
            isTextarea = kind == "textarea"
            isInput = ["text", "time"].contains(kind)
            isDate = kind == "date"
            isPassword = kind == "password"
            width = kind == "time" ? "input--width-5" : "input--width-20"
            (day, month, year) = parts
            self.error = error
            describe()
        }

        /// "the date of arrival" for "Date of arrival (optional)".
        static func name(_ label: String) -> String {
            let bare = label.replacing(/\ \(.*\)$/) { _ in "" }
            return "the " + bare.prefix(1).lowercased() + bare.dropFirst()
        }

        /// Sets the error shown beside the field, and for a date which of its parts it is about.
        mutating func show(_ error: String?, anchor: String? = nil) {
            self.error = error
            if isDate, error != nil {
                let part = anchor.map { String($0.dropFirst(id.count + 1)) } ?? ""
                dayError = part == "day" || !["month", "year"].contains(part)
                monthError = part == "month" || !["day", "year"].contains(part)
                yearError = part == "year" || !["day", "month"].contains(part)
                if ["day", "month", "year"].contains(part) {
                    (dayError, monthError, yearError) = (part == "day", part == "month", part == "year")
                }
            }
            describe()
        }

        /// The element the error summary links to for a problem of this field (`rule`: the part of a date).
        func anchor(rule: String) -> String {
            guard isDate else { return id }
            return ["day", "month", "year"].contains(rule) ? "\(id)-\(rule)" : "\(id)-day"
        }

        private mutating func describe() {
            let ids = [hint.map { _ in "\(id)-hint" }, error.map { _ in "\(id)-error" }].compactMap { $0 }
            describedBy = ids.isEmpty ? nil : ids.joined(separator: " ")
        }

        static func radios(_ id: String, _ label: String, name: String? = nil, hint: String? = nil, options: [Option]) -> Field {
            Field(id: id, label: label, name: name, hint: hint, value: "", options: options, kind: "radios")
        }
        /// Several choices, any of which may be ticked (none among them).
        static func checkboxes(_ id: String, _ label: String, name: String? = nil, hint: String? = nil, options: [Option]) -> Field {
            Field(id: id, label: label, name: name, hint: hint, value: "", options: options, kind: "checkboxes")
        }
        static func select(
            _ id: String, _ label: String, name: String? = nil, hint: String? = nil, value: String?, choices: [(String, String)]
        ) -> Field {
            Field(
                id: id, label: label, name: name, hint: hint, value: value ?? "",
                options: [Option(value: "", text: "Choose…", hint: nil, checked: (value ?? "").isEmpty)]
                    + choices.map { Option(value: $0.0, text: $0.1, hint: nil, checked: $0.0 == value) }, kind: "select")
        }
        static func input(_ id: String, _ label: String, name: String? = nil, hint: String? = nil, value: String?) -> Field {
            Field(id: id, label: label, name: name, hint: hint, value: value ?? "", options: [], kind: "text")
        }
        /// A time of day as 24-hour text.
        static func time(
            _ id: String, _ label: String, name: String? = nil, hint: String = "Use the 24-hour clock, for example 21:40",
            value: String?
        ) -> Field {
            Field(id: id, label: label, name: name, hint: hint, value: value ?? "", options: [], kind: "time")
        }
        /// A date as GOV.UK's date input: day, month and year. `posted` (when re-shown) wins over `value`.
        static func date(_ id: String, _ label: String, name: String? = nil, hint: String? = nil, value: CalendarDate?, posted: FormFields?)
            -> Field
        {
            let given = DateInput.parts(value)
            let parts =
                posted.map { posted in
                    (
                        posted.values["\(id)-day"]?.first ?? "", posted.values["\(id)-month"]?.first ?? "",
                        posted.values["\(id)-year"]?.first ?? ""
                    )
                } ?? given
            return Field(id: id, label: label, name: name, hint: hint, value: "", options: [], kind: "date", parts: parts)
        }
        /// A new password, never shown again: re-shown forms leave it empty.
        static func password(_ id: String, _ label: String, name: String? = nil, hint: String? = nil) -> Field {
            Field(id: id, label: label, name: name, hint: hint, value: "", options: [], kind: "password")
        }
        static func textarea(_ id: String, _ label: String, name: String? = nil, hint: String? = nil, value: String?) -> Field {
            Field(id: id, label: label, name: name, hint: hint, value: value ?? "", options: [], kind: "textarea")
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
    /// A warning before the button (a change that cannot be undone), and the button in red.
    var warning: String?
    var isWarning = false
    /// Whether sending the form with nothing ticked or filled in is an answer ("none of these").
    var emptyIsAnAnswer = false

    /// The mistakes of a refused change, each on the field that shows it: the domain's field
    /// names are the form's ids (`aliases` for the others); a problem of no field goes to the
    /// first; messages name fields by their labels.
    func problems(_ error: DomainError, aliases: [String: String] = [:]) -> FormErrors {
        var names = [String: String]()
        for field in fields { names[field.id] = field.name }
        for (api, form) in aliases { names[api] = fields.first { $0.id == form }?.name ?? names[api] }
        func field(_ name: String) -> Field? { fields.first { $0.id == (aliases[name] ?? name) } }
        let otherwise = fields.first
        if error.problems.isEmpty {
            return FormErrors([
                .init(field: otherwise?.id ?? "", message: Wording.plain(error.message, names: names), anchor: otherwise?.anchor(rule: ""))
            ])
        }
        return FormErrors(
            error.problems.map { problem in
                let target = field(problem.field) ?? otherwise
                let message = FormErrors.wording["\(problem.field)/\(problem.rule)"] ?? Wording.plain(problem.message, names: names)
                return .init(field: target?.id ?? "", message: message, anchor: target?.anchor(rule: problem.rule))
            })
    }

    /// The form again with the mistakes of a refused attempt, and a new one-time token.
    func refused(_ problems: FormErrors) -> FormModel {
        var copy = self
        copy.errors = problems.items
        copy.fields = fields.map { field in
            var field = field
            let item = problems.items.first { $0.field == field.id }
            field.show(item?.message, anchor: item?.anchor)
            return field
        }
        return copy
    }

    /// Adds the field asking why the premises may be overbooked, once a refusal has asked for it
    /// (`FormFields.askWhyOverbooked`); the hidden `overbook` keeps it on the form when sent again.
    mutating func askWhyOverbooked(_ posted: FormFields?, hint: String) {
        guard posted?[FormFields.overbookFlag] != nil else { return }
        fields.append(
            .textarea(
                "overbookingReason", "Why the premises may be overbooked", name: "the reason the premises may be overbooked",
                hint: hint, value: posted?["overbookingReason"]))
        hidden.append(.init(name: FormFields.overbookFlag, value: "1"))
    }

    /// The form again with a kept draft's mistakes.
    func refused(_ draft: FormDraftStore.Draft?) -> FormModel {
        guard let draft, !draft.problems.isEmpty else { return self }
        return refused(FormErrors(draft.problems.map { .init(field: $0.field, message: $0.message, anchor: $0.anchor) }))
    }
}
