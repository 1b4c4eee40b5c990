import ApprovedPremises
import Foundation
import Hummingbird

/// The placement's actions, each a form page of its own: allocate or move a bed, record the
/// arrival, a non-arrival or the departure, cancel, assign a key worker. Each post goes through
/// the same store call as the API (same rules, roles and audit rows), records once however often
/// it is sent, and ends on the placement page with a banner saying what was done.
struct PlacementForms: Sendable {
    let view: WebView

    /// The banner after each change, by the `done` of the address it ends on.
    static let doneMessages = [
        "allocated": "Bed allocated", "arrived": "Arrival recorded", "non-arrived": "Non-arrival recorded",
        "departed": "Departure recorded", "cancelled": "Placement cancelled", "key-worker": "Key worker assigned",
        "dates": "Dates changed", "booked": "Booked from the referral, with its bed",
        "transfer-asked": "Transfer asked for: the Central Referral Unit decides", "transferred": "Moved to the other AP",
        "appealed": "Appeal sent to the Central Referral Unit", "key-work-session": "Key-work session recorded",
        "test": "Test recorded", "pathway": "Move-on pathway added", "address": "Move-on address recorded",
        "result": "Result recorded", "follow-up": "Follow-up recorded", "custody": "Custody step recorded",
        "pathway-update": "Pathway updated",
    ]

    /// The tab a form ends on, when not the summary.
    static let tabAfter = ["key-work-session": "key-work", "test": "tests", "pathway": "move-on", "address": "move-on"]

    /// A form: the fields it shows (given what was posted, when re-shown) and what it does.
    struct Action: Sendable {
        let path: String
        let heading: String
        let submit: String
        let done: String
        /// Who may take this action (the store's own rule): a form not theirs is the 403 page.
        let roles: Set<Role>
        let fields: @Sendable (Context, FormFields?) async throws -> FormModel
        let change: @Sendable (Context, FormFields) async throws -> Void
    }

    /// What a form's fields and change are given.
    struct Context: Sendable {
        let scope: PremisesScope
        let placement: Placement
        let view: WebView
        var href: String { "\(scope.base)/placements/\(placement.id.uuidString.lowercased())" }
    }

    func register<C: RequestContext>(on router: Router<C>) {
        for action in [
            allocation, arrival, nonArrival, departure, cancellation, keyWorker, transferRequest, emergencyTransfer, appeal, keyWorkSession,
            test, pathway, address,
        ] {
            router.get("/premises/:code/placements/:id/\(action.path)") { request, context in
                let form = try await self.context(context)
                try Self.require(action, form)
                let draft = try await view.draft(request)
                let model = try await action.fields(form, draft.map { FormFields(values: $0.fields) }).refused(draft)
                return try await show(action, form, model, draft: draft)
            }
            router.post("/premises/:code/placements/:id/\(action.path)") { request, context in
                let post = try await FormPost.read(request, browser: view.browser)
                let form = try await self.context(context)
                try Self.require(action, form)
                do {
                    return try await post.once(view.stores.idempotency, path: request.uri.path) {
                        try await action.change(form, post.fields)
                        return "\(form.href)\(Self.tabAfter[action.done].map { "/\($0)" } ?? "")?done=\(action.done)"
                    }
                } catch let error as DomainError where [.invalid, .conflict, .unprocessable, .preconditionFailed].contains(error.kind) {
                    var fields = post.fields
                    fields.askWhyOverbooked(after: error)
                    let model = try await action.fields(form, fields)
                    let refused = FormPost(fields: fields, principal: post.principal)
                    return try await refused.refused(model.problems(error), browser: view.browser, formPath: request.uri.path)
                }
            }
        }
    }

    private func context<C: RequestContext>(_ context: C) async throws -> Context {
        let scope = try await view.premisesScope(context, current: "placements")
        return Context(scope: scope, placement: try await PlacementPages.placement(view, scope, context), view: view)
    }

    private func show(_ action: Action, _ form: Context, _ model: FormModel, draft: FormDraftStore.Draft?) async throws -> Response {
        var chrome = form.scope.chrome
        chrome.back = .init(href: form.href, text: "Back to \(form.placement.personName)", current: false)
        chrome.notice = WebView.keptNotice(draft)
        return view.renderer.page(
            "form", title: (model.hasErrors ? "Error: " : "") + "\(action.heading), \(form.placement.personName)",
            chrome: chrome, view: model, status: model.hasErrors ? .badRequest : .ok)
    }

    static func model(
        _ action: String, _ form: Context, heading: String, submit: String, fields: [FormModel.Field], intro: [String] = [],
        aside: FormModel.Aside? = nil
    ) -> FormModel {
        FormModel(
            heading: heading, caption: "\(form.placement.personName) (\(form.placement.crn))", action: "\(form.href)/\(action)",
            formToken: FormPost.newToken(), submit: submit, cancel: form.href, intro: intro, fields: fields, aside: aside)
    }

    static func require(_ action: Action, _ form: Context) throws {
        guard form.scope.may(action.roles) else {
            throw PageError.forbidden(
                "A \(form.scope.principal.role.title) may not \(action.heading.lowercased()). "
                    + "It needs one of: \(Role.allCases.filter(action.roles.contains).map(\.title).joined(separator: ", ")).")
        }
    }

    static func zone(_ form: Context) -> TimeZone { TimeZone(identifier: form.scope.premises.timeZone) ?? Premises.defaultTimeZone }
}
