import ApprovedPremises
import Foundation
import Hummingbird

/// A form page of the day's work that belongs to a premises (`/premises/{code}/…`) or to the
/// service (`/staff/…`), as `PlacementForms` does for a placement: the page shows the fields
/// (with the mistakes of a refused attempt, kept by post/redirect/get), the post goes through
/// the domain store (same rules, roles and audit rows as the API), records once however often it
/// is sent, and ends on the page the change returns, with its banner.
struct DayForm: Sendable {
    /// The address under the premises (`incidents/new`, `beds/:id/retire`) or, with no premises,
    /// from the root (`/staff/new`).
    let path: String
    let heading: String
    /// Who may use it (the store's own rule): anyone else gets the 403 page.
    let roles: Set<Role>
    /// The navigation link the page belongs under.
    var current = ""
    let fields: @Sendable (Context, FormFields?) async throws -> FormModel
    /// Makes the change and answers where to go next.
    let change: @Sendable (Context, FormFields) async throws -> String

    /// What a form's fields and change are given.
    struct Context: Sendable {
        let principal: Principal
        /// The premises of the address, for a premises' form.
        let scope: PremisesScope?
        let chrome: Chrome
        let view: WebView
        /// The address's `:id`, when it has one.
        let id: String?
        let today: CalendarDate
        let wording: Wording

        /// The premises' scope; only premises forms ask for it.
        var premises: PremisesScope { scope! }
        var base: String { scope?.base ?? "" }

        /// The address's `:id` as an identifier, or the 404 page.
        func uuid(_ what: String) throws -> UUID {
            guard let id = id.flatMap(UUID.init(uuidString:)) else { throw PageError.notFound("There is no such \(what).") }
            return id
        }
    }

    /// A form model for this form.
    func model(_ form: Context, caption: String, submit: String, fields: [FormModel.Field], intro: [String] = [], cancel: String)
        -> FormModel
    {
        FormModel(
            heading: heading, caption: caption, action: address(form), formToken: FormPost.newToken(), submit: submit, cancel: cancel,
            intro: intro, fields: fields)
    }

    /// The form's own address for its context.
    func address(_ form: Context) -> String {
        let relative = path.replacingOccurrences(of: ":id", with: form.id?.urlPathSegment ?? "")
        return form.scope == nil ? relative : "\(form.base)/\(relative)"
    }

    /// Registers the form's page and its post; `premises`: whether it lives under a premises.
    static func register<C: RequestContext>(_ forms: [DayForm], premises: Bool, view: WebView, on router: Router<C>) {
        for form in forms {
            let route = premises ? "/premises/:code/\(form.path)" : form.path
            router.get(RouterPath(route)) { request, context in
                let given = try await form.context(context, premises: premises, view: view)
                let draft = try await view.draft(request)
                let model = try await form.fields(given, draft.map { FormFields(values: $0.fields) }).refused(draft)
                return form.show(given, model, draft: draft)
            }
            router.post(RouterPath(route)) { request, context in
                let post = try await FormPost.read(request, browser: view.browser)
                let given = try await form.context(context, premises: premises, view: view)
                do {
                    return try await post.once(view.stores.idempotency, path: request.uri.path) {
                        try await form.change(given, post.fields)
                    }
                } catch let error as DomainError where [.invalid, .conflict, .unprocessable, .preconditionFailed].contains(error.kind) {
                    let model = try await form.fields(given, post.fields)
                    return try await post.refused(model.problems(error), browser: view.browser, formPath: request.uri.path)
                }
            }
        }
    }

    private func context<C: RequestContext>(_ context: C, premises: Bool, view: WebView) async throws -> Context {
        let id = context.parameters.get("id")
        if premises {
            let scope = try await view.premisesScope(context, current: current)
            try require(scope.principal)
            return Context(
                principal: scope.principal, scope: scope, chrome: scope.chrome, view: view, id: id, today: scope.today,
                wording: scope.wording)
        }
        let principal = try WebScope.caller()
        try require(principal)
        return Context(
            principal: principal, scope: nil, chrome: .signedIn(principal, csrf: WebScope.csrf, current: current), view: view, id: id,
            today: CalendarDate.today(in: Premises.defaultTimeZone), wording: Wording(timeZone: Premises.defaultTimeZone))
    }

    private func require(_ principal: Principal) throws {
        guard roles.contains(principal.role) else {
            throw PageError.forbidden(
                "A \(principal.role.title) may not \(heading.prefix(1).lowercased() + heading.dropFirst()). "
                    + "It needs one of: \(Role.allCases.filter(roles.contains).map(\.title).joined(separator: ", ")).")
        }
    }

    private func show(_ form: Context, _ model: FormModel, draft: FormDraftStore.Draft?) -> Response {
        var chrome = form.chrome
        chrome.back = .init(href: model.cancel, text: "Back", current: false)
        chrome.notice = WebView.keptNotice(draft)
        let place = form.scope.map { ", \($0.premises.name)" } ?? ""
        return form.view.renderer.page(
            "form", title: (model.hasErrors ? "Error: " : "") + model.heading + place, chrome: chrome, view: model,
            status: model.hasErrors ? .badRequest : .ok)
    }
}

/// Words for the domain's codes (`urine_lab`) on pages: a label of their own when one is given,
/// else the code in plain words with a capital.
enum Labels {
    static let own: [String: String] = [
        "urine_lab": "Urine (laboratory)", "urine_instant": "Urine (instant test)", "oral_fluid": "Oral fluid", "breath": "Breath",
        "on_arrival": "On arrival", "on_suspicion": "On suspicion", "no_kit": "No kit", "resident_absent": "Resident absent",
        "sent_to_lab": "Sent to the laboratory", "received_by_lab": "Received by the laboratory",
        "positive_prescribed": "Positive (prescribed)",
        "unable_to_provide": "Unable to provide", "whole_sample": "Whole sample",
        "referral_to_substance_services": "Referral to substance services",
        "reported_to_pp": "Reported to the probation practitioner", "recall_requested": "Recall requested", "no_action": "No action",
        "cas3_referral": "CAS3 referral", "one_to_one": "One to one", "violence_or_threats": "Violence or threats",
        "not_seen": "Not seen", "not_in_room": "Not in room", "sign_out": "Signed out", "sign_in": "Signed in",
        "ap_manager": "AP manager", "residential_worker": "Residential worker", "key_worker": "Key worker",
        "referral_manager": "Referral manager", "regional_manager": "Regional manager", "probation_practitioner": "Probation practitioner",
    ]

    static func of(_ code: String) -> String {
        if let label = own[code] { return label }
        let words = code.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// The choices of an enumeration, as a select's or radios' options.
    static func choices<E: RawRepresentable & CaseIterable>(_ type: E.Type) -> [(String, String)] where E.RawValue == String {
        type.allCases.map { ($0.rawValue, of($0.rawValue)) }
    }
}
