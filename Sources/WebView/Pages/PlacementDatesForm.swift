import ApprovedPremises
import Foundation
import Hummingbird

/// `…/placements/{id}/dates`: a change of expected dates in two steps, each answered with a
/// redirect. The form's dates are first checked (`PlacementStore.checkDates`: the same rules and
/// capacity check as the change, writing nothing) and the answers kept; the check page
/// (`…/dates/check?draft=`) shows them with "Change" links; only its confirmation changes them,
/// once. Dates that would overbook a night ask why, and are changed only with the reason.
struct PlacementDatesForm: Sendable {
    let view: WebView

    struct Confirmation: Sendable {
        let caption: String
        let rows: [PlacementPages.SummaryRow]
        let action: String
        let formToken: String
        let arrival: String?
        let departure: String
        let overbookingReason: String?
        let cancel: String
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/placements/:id/dates") { request, context in
            let form = try await self.form(context)
            let draft = try await view.draft(request)
            return show(
                form, model(form, posted: draft.map { FormFields(values: $0.fields) }).refused(draft), notice: WebView.keptNotice(draft))
        }
        router.post("/premises/:code/placements/:id/dates/check") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let form = try await self.form(context)
            do {
                let (arrival, departure) = try Self.dates(post.fields, form.placement)
                _ = try await view.stores.placements.checkDates(
                    form.placement.id, arrival: arrival, departure: departure, by: form.scope.principal,
                    overbookingReason: post.fields["overbookingReason"])
                return try await FormPost.keep(
                    post.fields, problems: FormErrors(), reason: .checked, staffID: post.principal.staffID, browser: view.browser,
                    path: "\(form.href)/dates/check")
            } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
                return try await refuse(form, post.fields, error, principal: post.principal)
            }
        }
        router.get("/premises/:code/placements/:id/dates/check") { request, context in
            let form = try await self.form(context)
            guard let draft = try await view.draft(request), draft.reason == .checked else {
                return PageRenderer.redirect(to: "\(form.href)/dates")
            }
            let fields = FormFields(values: draft.fields)
            do {
                let (arrival, departure) = try Self.dates(fields, form.placement)
                let checked = try await view.stores.placements.checkDates(
                    form.placement.id, arrival: arrival, departure: departure, by: form.scope.principal,
                    overbookingReason: fields["overbookingReason"])
                return confirmation(
                    form, checked, reason: fields["overbookingReason"],
                    change: "\(form.href)/dates?draft=\(draft.id.uuidString.lowercased())")
            } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
                return show(form, model(form, posted: fields).refused(model(form, posted: fields).problems(error)), notice: nil)
            }
        }
        router.post("/premises/:code/placements/:id/dates") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let form = try await self.form(context)
            let arrival = try post.fields["expectedArrival"].map { try CalendarDate.parse($0, field: "expectedArrival") }
            let departure = try post.fields["expectedDeparture"].map { try CalendarDate.parse($0, field: "expectedDeparture") }
            do {
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    _ = try await view.stores.placements.changeDates(
                        form.placement.id, arrival: arrival, departure: departure,
                        expectedVersion: nil, by: form.scope.principal,
                        overbookingReason: post.fields["overbookingReason"])
                    return "\(form.href)?done=dates"
                }
            } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
                // The form again, its date fields filled from the dates confirmed.
                var fields = FormFields(values: [:])
                for (id, date) in [("expectedArrival", arrival), ("expectedDeparture", departure)] {
                    let parts = DateInput.parts(date)
                    if date != nil {
                        fields.set("\(id)-day", parts.day)
                        fields.set("\(id)-month", parts.month)
                        fields.set("\(id)-year", parts.year)
                    }
                }
                fields.set("overbookingReason", post.fields["overbookingReason"])
                return try await refuse(form, fields, error, principal: post.principal)
            }
        }
    }

    /// The form again, by a redirect, with the refusal's mistakes (and the reason's field when
    /// the dates would overbook).
    private func refuse(_ form: PlacementForms.Context, _ fields: FormFields, _ error: DomainError, principal: Principal) async throws
        -> Response
    {
        var fields = fields
        fields.askWhyOverbooked(after: error)
        let problems = model(form, posted: fields).problems(error)
        return try await FormPost.keep(
            fields, problems: problems, reason: .refused, staffID: principal.staffID, browser: view.browser, path: "\(form.href)/dates")
    }

    private func confirmation(
        _ form: PlacementForms.Context, _ checked: (arrival: CalendarDate, departure: CalendarDate, overbooks: Bool),
        reason: String?, change: String
    ) -> Response {
        let words = form.scope.wording
        let placement = form.placement
        var chrome = form.scope.chrome
        chrome.back = .init(href: change, text: "Back to the dates", current: false)
        var rows: [PlacementPages.SummaryRow] = []
        if placement.status == .upcoming {
            rows.append(
                .init(
                    key: "Expected arrival", value: "\(words.date(placement.expectedArrival)) → \(words.date(checked.arrival))",
                    change: change + "#expectedArrival-day", changeName: "the expected arrival"))
        }
        rows.append(
            .init(
                key: "Expected departure", value: "\(words.date(placement.expectedDeparture)) → \(words.date(checked.departure))",
                change: change + "#expectedDeparture-day", changeName: "the expected departure"))
        if checked.overbooks, let reason {
            rows.append(
                .init(
                    key: "Why it may be overbooked", value: reason, change: change + "#overbookingReason",
                    changeName: "why it may be overbooked"))
        } else {
            rows.append(.init(key: "Capacity", value: "\(form.scope.premises.name) has room on every night the new dates add."))
        }
        let model = Confirmation(
            caption: "\(placement.personName) (\(placement.crn))", rows: rows, action: "\(form.href)/dates", formToken: FormPost.newToken(),
            arrival: placement.status == .upcoming ? "\(checked.arrival)" : nil, departure: "\(checked.departure)",
            overbookingReason: checked.overbooks ? reason : nil, cancel: form.href)
        return view.renderer.page("confirm-dates", title: "Check the new dates, \(placement.personName)", chrome: chrome, view: model)
    }

    private func form<Context: RequestContext>(_ context: Context) async throws -> PlacementForms.Context {
        let scope = try await view.premisesScope(context, current: "placements")
        let form = PlacementForms.Context(scope: scope, placement: try await PlacementPages.placement(view, scope, context), view: view)
        guard scope.may(PlacementStore.bookers) else {
            throw PageError.forbidden(
                "A \(scope.principal.role.title) may not change a placement's dates; an AP manager, a referral manager or an administrator may."
            )
        }
        return form
    }

    private func model(_ form: PlacementForms.Context, posted: FormFields?) -> FormModel {
        let placement = form.placement
        let words = form.scope.wording
        var fields = [FormModel.Field]()
        if placement.status == .upcoming {
            fields.append(
                .date(
                    "expectedArrival", "Expected arrival", hint: "Now \(words.date(placement.expectedArrival)).",
                    value: placement.expectedArrival, posted: posted))
        }
        fields.append(
            .date(
                "expectedDeparture", "Expected departure",
                hint: "Now \(words.date(placement.expectedDeparture)). The morning they leave: their last night is the night before.",
                value: placement.expectedDeparture, posted: posted))
        var model = PlacementForms.model(
            "dates/check", form, heading: "Change the dates", submit: "Check the dates", fields: fields,
            intro: ["The new dates are checked against the beds first; nothing changes until you confirm."])
        model.askWhyOverbooked(posted, hint: "The new dates take nights on which every bed is taken.")
        return model
    }

    private func show(_ form: PlacementForms.Context, _ model: FormModel, notice: String?) -> Response {
        var chrome = form.scope.chrome
        chrome.back = .init(href: form.href, text: "Back to \(form.placement.personName)", current: false)
        chrome.notice = notice
        return view.renderer.page(
            "form", title: (model.hasErrors ? "Error: " : "") + "Change the dates, \(form.placement.personName)",
            chrome: chrome, view: model, status: model.hasErrors ? .badRequest : .ok)
    }

    /// The dates of the form: the arrival only before arrival.
    static func dates(_ fields: FormFields, _ placement: Placement) throws -> (CalendarDate?, CalendarDate?) {
        var validation = Validation()
        let arrival =
            placement.status == .upcoming ? DateInput.date(fields, "expectedArrival", name: "the expected arrival", into: &validation) : nil
        let departure = DateInput.date(fields, "expectedDeparture", name: "the expected departure", into: &validation)
        try validation.check()
        return (arrival, departure)
    }
}
