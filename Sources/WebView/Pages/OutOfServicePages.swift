import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/out-of-service`: the beds out of service now and later, each with forms to
/// end it early or cancel it, and `/new` to take a bed out of service. Managers and
/// administrators only change them (`RoomStore.keepers`); everyone at the premises may look.
struct OutOfServicePages: Sendable {
    let view: WebView

    struct Line: Sendable {
        let bed: String
        let nights: String
        let reason: String
        let reference: String
        let endAction: String
        let cancelAction: String
        let endToken: String
        let cancelToken: String
        let endID: String
        let lastNight: String
    }

    struct Model: Sendable {
        let lines: [Line]
        let mayChange: Bool
        let newHref: String
        let errors: [FormErrors.Item]
        let hasErrors: Bool
    }

    static let done = ["created": "Bed taken out of service", "ended": "Out-of-service period ended", "cancelled": "Out-of-service period cancelled"]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/out-of-service") { request, context in
            let scope = try await view.premisesScope(context, current: "beds")
            return try await list(scope, done: request.query("done"), errors: FormErrors())
        }
        router.get("/premises/:code/out-of-service/new") { _, context in
            let scope = try await view.premisesScope(context, current: "beds")
            try require(scope)
            return try await newForm(scope, posted: nil, errors: nil)
        }
        router.post("/premises/:code/out-of-service/new") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let scope = try await view.premisesScope(context, current: "beds")
            try require(scope)
            do {
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    let fields = post.fields
                    guard let bed = fields["bedId"].flatMap(UUID.init(uuidString:)) else {
                        throw DomainError.invalid(field: "bedId", rule: "required", "Choose the bed")
                    }
                    let first = try CalendarDate.parse(fields["start"] ?? "", field: "start")
                    let end = try CalendarDate.parse(fields["end"] ?? "", field: "end")
                    _ = try await view.stores.outOfService.create(bedID: bed, nights: Nights(first: first, end: end),
                                                                   reason: try PlacementForms.required(fields, "reason", "Choose why the bed is out of service"),
                                                                   reference: fields["reference"], notes: fields["notes"], by: scope.principal)
                    return "\(scope.base)/out-of-service?done=created"
                }
            } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
                return try await newForm(scope, posted: post.fields, errors: FormErrors(error, fields: ["bedId": "bedId", "start": "start", "end": "end",
                                                                                                      "nights": "start", "reason": "reason"], otherwise: "bedId"))
            }
        }
        router.post("/premises/:code/out-of-service/:id/:change") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let scope = try await view.premisesScope(context, current: "beds")
            try require(scope)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let change = context.parameters.get("change"),
                  ["end", "cancel"].contains(change) else { throw PageError.notFound("There is no such out-of-service period.") }
            do {
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    if change == "end" {
                        let end = try CalendarDate.parse(post.fields["end"] ?? "", field: "end")
                        _ = try await view.stores.outOfService.end(id, on: end, by: scope.principal)
                        return "\(scope.base)/out-of-service?done=ended"
                    }
                    _ = try await view.stores.outOfService.cancel(id, by: scope.principal)
                    return "\(scope.base)/out-of-service?done=cancelled"
                }
            } catch let error as DomainError where [.invalid, .conflict, .notFound].contains(error.kind) {
                return try await list(scope, done: nil, errors: FormErrors([.init(field: "end-\(id.uuidString.lowercased())", message: error.message)]))
            }
        }
    }

    private func require(_ scope: PremisesScope) throws {
        guard scope.may(RoomStore.keepers) else {
            throw PageError.forbidden("A \(scope.principal.role.title) may not take beds out of service; an AP manager or an administrator may.")
        }
    }

    private func list(_ scope: PremisesScope, done: String?, errors: FormErrors) async throws -> Response {
        let periods = try await view.stores.outOfService.list(premisesID: scope.premises.id, from: scope.today, by: scope.principal)
        let words = scope.wording
        var chrome = scope.chrome
        chrome.done = done.flatMap { Self.done[$0] }
        chrome.back = .init(href: "\(scope.base)/beds", text: "Back to the bed board", current: false)
        let reasons = Dictionary(try await view.stores.reference.entries(of: "out-of-service-reasons").map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let lines = periods.map { period, label in
            let id = period.id.uuidString.lowercased()
            return Line(bed: "Bed \(label)", nights: "\(words.date(period.nights.first)) to \(words.date(period.nights.end.adding(days: -1)))",
                        reason: reasons[period.reason] ?? period.reason, reference: period.reference ?? "None",
                        endAction: "\(scope.base)/out-of-service/\(id)/end", cancelAction: "\(scope.base)/out-of-service/\(id)/cancel",
                        endToken: FormPost.newToken(), cancelToken: FormPost.newToken(), endID: "end-\(id)",
                        lastNight: "\(max(scope.today, period.nights.first.adding(days: 1)))")
        }
        return view.renderer.page("out-of-service", title: (errors.any ? "Error: " : "") + "Beds out of service, \(scope.premises.name)", chrome: chrome,
                                  view: Model(lines: lines, mayChange: scope.may(RoomStore.keepers), newHref: "\(scope.base)/out-of-service/new",
                                              errors: errors.items, hasErrors: errors.any),
                                  status: errors.any ? .badRequest : .ok)
    }

    private func newForm(_ scope: PremisesScope, posted: FormFields?, errors: FormErrors?) async throws -> Response {
        let rooms = try await view.stores.rooms.rooms(premisesID: scope.premises.id, by: scope.principal)
        let beds = rooms.flatMap { room in room.beds.map { ("\($0.id.uuidString.lowercased())", "Bed \($0.label), \(room.name)") } }
        let reasons = try await view.stores.reference.entries(of: "out-of-service-reasons").filter { $0.active ?? true }.map { ($0.code, $0.name) }
        var model = FormModel(heading: "Take a bed out of service", caption: scope.premises.name, action: "\(scope.base)/out-of-service/new",
                              formToken: FormPost.newToken(), submit: "Take the bed out of service", cancel: "\(scope.base)/out-of-service",
                              intro: ["A bed allocated to someone on those nights cannot be taken out of service until they are moved."],
                              fields: [
                                  .select("bedId", "Bed", value: posted?["bedId"], choices: beds),
                                  .input("start", "First night out of service", kind: "date", value: posted?["start"] ?? "\(scope.today)"),
                                  .input("end", "First night back in service", kind: "date", value: posted?["end"] ?? "\(scope.today.adding(days: 7))"),
                                  .select("reason", "Why", value: posted?["reason"], choices: reasons),
                                  .input("reference", "Repair or work order reference (optional)", value: posted?["reference"]),
                                  .textarea("notes", "Notes (optional)", value: posted?["notes"]),
                              ])
        if let errors { model = model.refused(errors) }
        var chrome = scope.chrome
        chrome.back = .init(href: "\(scope.base)/out-of-service", text: "Back to beds out of service", current: false)
        return view.renderer.page("form", title: (model.hasErrors ? "Error: " : "") + "Take a bed out of service, \(scope.premises.name)",
                                  chrome: chrome, view: model, status: errors == nil ? .ok : .badRequest)
    }
}
