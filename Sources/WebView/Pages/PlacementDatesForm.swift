import ApprovedPremises
import Foundation
import Hummingbird

/// `…/placements/{id}/dates`: a change of expected dates in two steps. The form's dates are
/// first checked (`PlacementStore.checkDates`: the same rules and capacity check as the change,
/// writing nothing) and the answer shown; only the confirmation changes them, once.
struct PlacementDatesForm: Sendable {
    let view: WebView

    struct Confirmation: Sendable {
        let caption: String
        let rows: [PlacementPages.SummaryRow]
        let action: String
        let formToken: String
        let arrival: String?
        let departure: String
        let cancel: String
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/placements/:id/dates") { _, context in
            let form = try await self.form(context)
            return show(form, model(form, posted: nil), status: .ok)
        }
        router.post("/premises/:code/placements/:id/dates/check") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let form = try await self.form(context)
            let words = form.scope.wording, placement = form.placement
            do {
                let (arrival, departure) = try Self.dates(post.fields, placement)
                let checked = try await view.stores.placements.checkDates(placement.id, arrival: arrival, departure: departure, by: form.scope.principal)
                var chrome = form.scope.chrome
                chrome.back = .init(href: "\(form.href)/dates", text: "Back to the dates", current: false)
                let confirmation = Confirmation(
                    caption: "\(placement.personName) (\(placement.crn))",
                    rows: [.init(key: "Expected arrival", value: "\(words.date(placement.expectedArrival)) → \(words.date(checked.arrival))"),
                           .init(key: "Expected departure", value: "\(words.date(placement.expectedDeparture)) → \(words.date(checked.departure))"),
                           .init(key: "Capacity", value: "\(form.scope.premises.name) has room on every night the new dates add.")],
                    action: "\(form.href)/dates", formToken: FormPost.newToken(),
                    arrival: placement.status == .upcoming ? "\(checked.arrival)" : nil, departure: "\(checked.departure)", cancel: form.href)
                return view.renderer.page("confirm-dates", title: "Check the new dates, \(placement.personName)", chrome: chrome, view: confirmation)
            } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
                return show(form, model(form, posted: post.fields).refused(Self.problems(error)), status: error.kind == .invalid ? .badRequest : .conflict)
            }
        }
        router.post("/premises/:code/placements/:id/dates") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let form = try await self.form(context)
            do {
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    let (arrival, departure) = try Self.dates(post.fields, form.placement)
                    _ = try await view.stores.placements.changeDates(form.placement.id, arrival: arrival, departure: departure,
                                                                      expectedVersion: nil, by: form.scope.principal)
                    return "\(form.href)?done=dates"
                }
            } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
                return show(form, model(form, posted: post.fields).refused(Self.problems(error)), status: error.kind == .invalid ? .badRequest : .conflict)
            }
        }
    }

    private func form<Context: RequestContext>(_ context: Context) async throws -> PlacementForms.Context {
        let scope = try await view.premisesScope(context, current: "placements")
        let form = PlacementForms.Context(scope: scope, placement: try await PlacementPages.placement(view, scope, context), view: view)
        guard scope.may(PlacementStore.bookers) else {
            throw PageError.forbidden("A \(scope.principal.role.title) may not change a placement's dates; an AP manager, a referral manager or an administrator may.")
        }
        return form
    }

    private func model(_ form: PlacementForms.Context, posted: FormFields?) -> FormModel {
        let placement = form.placement
        var fields = [FormModel.Field]()
        if placement.status == .upcoming {
            fields.append(.input("expectedArrival", "Expected arrival", kind: "date", value: posted?["expectedArrival"] ?? "\(placement.expectedArrival)"))
        }
        fields.append(.input("expectedDeparture", "Expected departure", kind: "date", hint: "The morning they leave: their last night is the night before.",
                             value: posted?["expectedDeparture"] ?? "\(placement.expectedDeparture)"))
        return PlacementForms.model("dates/check", form, heading: "Change the dates", submit: "Check the dates", fields: fields,
                                    intro: ["The new dates are checked against the beds first; nothing changes until you confirm."])
    }

    private func show(_ form: PlacementForms.Context, _ model: FormModel, status: HTTPResponse.Status) -> Response {
        var chrome = form.scope.chrome
        chrome.back = .init(href: form.href, text: "Back to \(form.placement.personName)", current: false)
        return view.renderer.page("form", title: (model.hasErrors ? "Error: " : "") + "Change the dates, \(form.placement.personName)",
                                  chrome: chrome, view: model, status: status)
    }

    static func dates(_ fields: FormFields, _ placement: Placement) throws -> (CalendarDate?, CalendarDate?) {
        (try fields["expectedArrival"].map { try CalendarDate.parse($0, field: "expectedArrival") },
         try fields["expectedDeparture"].map { try CalendarDate.parse($0, field: "expectedDeparture") })
    }

    static func problems(_ error: DomainError) -> FormErrors {
        FormErrors(error, fields: ["expectedArrival": "expectedArrival", "expectedDeparture": "expectedDeparture"], otherwise: "expectedDeparture")
    }
}
