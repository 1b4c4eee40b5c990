import ApprovedPremises
import Foundation
import Hummingbird

/// `/subject-access`: a person's records found by their CRN, for the subject access officer and
/// administrators (the export itself, recorded in the access log as one); `/access-log`: who
/// read a person's records, for administrators.
struct SubjectAccessPages: Sendable {
    let view: WebView

    struct Field: Sendable {
        let name: String
        let value: String
    }
    struct Record: Sendable {
        let fields: [Field]
    }
    struct Section: Sendable {
        let id: String
        let title: String
        let count: Int
        let records: [Record]
    }
    struct Read: Sendable {
        let when: String
        let who: String
        let role: String
        let what: String
    }
    struct Model: Sendable {
        let crn: String
        let error: String?
        let nothing: String?
        let names: String?
        let sections: [Section]
        /// Who read the person's records (the access log page).
        let reads: [Read]?
        let accessLog: String?
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/subject-access") { request, _ in
            let principal = try WebScope.caller()
            try principal.require(SubjectAccessStore.officers, to: "answer subject access requests")
            let crn = (request.query("crn") ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "subject-access")
            chrome.guide = Chrome.guide(.sarOfficer)
            let model = try await export(crn, by: principal)
            return view.renderer.page(
                "subject-access", title: model.error == nil ? "Subject access" : "Error: Subject access", chrome: chrome, view: model,
                status: model.error == nil ? .ok : .badRequest)
        }
        router.get("/access-log") { request, _ in
            let principal = try WebScope.caller()
            let crn = (request.query("crn") ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            let words = Wording(timeZone: Premises.defaultTimeZone)
            let reads = try await view.stores.accessLog.list(crn: crn, page: try PageRequest(limit: 200), by: principal).items.map {
                Read(
                    when: words.dateTime($0.occurredAt), who: "\($0.displayName) (\($0.username))", role: $0.role.title,
                    what: $0.what.title)
            }
            let model = Model(
                crn: crn, error: nil, nothing: reads.isEmpty ? "Nobody has read \(crn)'s records." : nil, names: nil, sections: [],
                reads: reads, accessLog: nil)
            let chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "subject-access")
            return view.renderer.page("access-log", title: "Who read \(crn)'s records", chrome: chrome, view: model)
        }
    }

    /// The page's model: the form alone, the form with its error, or the person's records.
    private func export(_ crn: String, by principal: Principal) async throws -> Model {
        let accessLog = AccessLogStore.readers.contains(principal.role) && !crn.isEmpty ? "/access-log?crn=\(crn)" : nil
        guard !crn.isEmpty else {
            return Model(crn: "", error: nil, nothing: nil, names: nil, sections: [], reads: nil, accessLog: nil)
        }
        guard crn.wholeMatch(of: /[A-Z][0-9]{6}/) != nil else {
            return Model(
                crn: crn, error: "Enter a case reference number: a capital letter and six digits, such as X123456", nothing: nil,
                names: nil, sections: [], reads: nil, accessLog: nil)
        }
        guard case .content(let export) = try await view.stores.subjectAccess.export(crn: crn, prn: nil, from: nil, to: nil, by: principal)
        else {
            return Model(
                crn: crn, error: nil, nothing: "Nothing is held about \(crn).", names: nil, sections: [], reads: nil, accessLog: accessLog)
        }
        let sections = export.sections.map { section in
            Section(
                id: section.name, title: section.title, count: section.records.count,
                records: section.records.map { record in
                    guard case .object(let fields) = record else { return Record(fields: []) }
                    return Record(fields: fields.keys.sorted().map { Field(name: $0, value: Self.text(fields[$0] ?? .null)) })
                })
        }
        return Model(
            crn: crn, error: nil, nothing: nil, names: export.names.joined(separator: ", "), sections: sections, reads: nil,
            accessLog: accessLog)
    }

    /// A stored value as a person reads it.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .bool(let flag): flag ? "yes" : "no"
        case .number(let number): number.rounded() == number && abs(number) < 9e15 ? String(Int64(number)) : String(number)
        case .string(let text): text
        case .array(let values): values.map(text).joined(separator: "; ")
        case .object:
            (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }
}
