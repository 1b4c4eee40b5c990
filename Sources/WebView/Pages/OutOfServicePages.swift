import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/out-of-service`: the beds out of service now and later, each with links to
/// end it early (`/{id}/end`, a form) or cancel it (`/{id}/cancel`, a confirmation with a
/// warning button), and `/new` to take a bed out of service (asking why, when it would leave
/// the premises overbooked). Managers and administrators only change them (`RoomStore.keepers`);
/// everyone at the premises may look. Every post is answered with a redirect.
struct OutOfServicePages: Sendable {
    let view: WebView

    struct Line: Sendable {
        let bed: String
        let nights: String
        let reason: String
        let reference: String
        let endHref: String
        let cancelHref: String
    }

    struct Model: Sendable {
        let lines: [Line]
        let mayChange: Bool
        let newHref: String
    }

    static let done = [
        "created": "Bed taken out of service", "ended": "Out-of-service period ended", "cancelled": "Out-of-service period cancelled",
    ]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/out-of-service") { request, context in
            let scope = try await view.premisesScope(context, current: "beds")
            return try await list(scope, done: request.query("done"))
        }
        router.get("/premises/:code/out-of-service/new") { request, context in
            let scope = try await view.premisesScope(context, current: "beds")
            try require(scope)
            let draft = try await view.draft(request)
            let model = try await newModel(scope, posted: draft.map { FormFields(values: $0.fields) }).refused(draft)
            return show(scope, model, title: "Take a bed out of service", notice: WebView.keptNotice(draft))
        }
        router.post("/premises/:code/out-of-service/new") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let scope = try await view.premisesScope(context, current: "beds")
            try require(scope)
            do {
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    let fields = post.fields
                    var validation = Validation()
                    let bed = fields["bedId"].flatMap(UUID.init(uuidString:))
                    if bed == nil { validation.add(field: "bedId", rule: "required", "Choose the bed") }
                    let first = DateInput.date(fields, "start", name: "the first night out of service", into: &validation)
                    let end = DateInput.date(fields, "end", name: "the first night back in service", into: &validation)
                    if fields["reason"] == nil { validation.add(field: "reason", rule: "required", "Choose why the bed is out of service") }
                    try validation.check()
                    _ = try await view.stores.outOfService.create(
                        bedID: bed!, nights: Nights(first: first!, end: end!), reason: fields["reason"]!,
                        reference: fields["reference"], notes: fields["notes"], by: scope.principal,
                        checkCapacity: true, overbookingReason: fields["overbookingReason"])
                    return "\(scope.base)/out-of-service?done=created"
                }
            } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
                var fields = post.fields
                fields.askWhyOverbooked(after: error)
                let model = try await newModel(scope, posted: fields)
                return try await FormPost.keep(
                    fields, problems: model.problems(error, aliases: ["nights": "start"]), reason: .refused,
                    staffID: post.principal.staffID, browser: view.browser, path: request.uri.path)
            }
        }
        router.get("/premises/:code/out-of-service/:id/:change") { request, context in
            let (scope, period, label, change) = try await period(context)
            let draft = try await view.draft(request)
            let model = changeModel(scope, period, label, change, posted: draft.map { FormFields(values: $0.fields) }).refused(draft)
            return show(scope, model, title: model.heading, notice: WebView.keptNotice(draft))
        }
        router.post("/premises/:code/out-of-service/:id/:change") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let (scope, period, label, change) = try await period(context)
            do {
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    if change == "end" {
                        let end = try DateInput.date(post.fields, "end", name: "the first night back in service")!
                        _ = try await view.stores.outOfService.end(period.id, on: end, by: scope.principal)
                        return "\(scope.base)/out-of-service?done=ended"
                    }
                    _ = try await view.stores.outOfService.cancel(period.id, by: scope.principal)
                    return "\(scope.base)/out-of-service?done=cancelled"
                }
            } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
                let model = changeModel(scope, period, label, change, posted: post.fields)
                return try await post.refused(model.problems(error), browser: view.browser, formPath: request.uri.path)
            }
        }
    }

    private func require(_ scope: PremisesScope) throws {
        guard scope.may(RoomStore.keepers) else {
            throw PageError.forbidden(
                "A \(scope.principal.role.title) may not take beds out of service; an AP manager or an administrator may.")
        }
    }

    /// The period of the address (now or later), its bed's label and the change asked for.
    private func period<Context: RequestContext>(_ context: Context) async throws -> (PremisesScope, OutOfService, String, String) {
        let scope = try await view.premisesScope(context, current: "beds")
        try require(scope)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let change = context.parameters.get("change"),
            ["end", "cancel"].contains(change)
        else { throw PageError.notFound("There is no such out-of-service period.") }
        let periods = try await view.stores.outOfService.list(premisesID: scope.premises.id, from: scope.today, by: scope.principal)
        guard let (period, label) = periods.first(where: { $0.0.id == id }) else {
            throw PageError.notFound("There is no such out-of-service period now or later at \(scope.premises.name).")
        }
        return (scope, period, label, change)
    }

    private func list(_ scope: PremisesScope, done: String?) async throws -> Response {
        let periods = try await view.stores.outOfService.list(premisesID: scope.premises.id, from: scope.today, by: scope.principal)
        let words = scope.wording
        var chrome = scope.chrome
        chrome.done = done.flatMap { Self.done[$0] }
        chrome.back = .init(href: "\(scope.base)/beds", text: "Back to the bed board", current: false)
        let reasons = try await reasonNames()
        let lines = periods.map { period, label in
            let href = "\(scope.base)/out-of-service/\(period.id.uuidString.lowercased())"
            return Line(
                bed: "Bed \(label)", nights: "\(words.date(period.nights.first)) to \(words.date(period.nights.end.adding(days: -1)))",
                reason: reasons[period.reason] ?? period.reason, reference: period.reference ?? "None",
                endHref: href + "/end", cancelHref: href + "/cancel")
        }
        return view.renderer.page(
            "out-of-service", title: "Beds out of service, \(scope.premises.name)", chrome: chrome,
            view: Model(lines: lines, mayChange: scope.may(RoomStore.keepers), newHref: "\(scope.base)/out-of-service/new"))
    }

    private func reasonNames() async throws -> [String: String] {
        Dictionary(
            try await view.stores.reference.entries(of: "out-of-service-reasons").map { ($0.code, $0.name) },
            uniquingKeysWith: { a, _ in a })
    }

    private func newModel(_ scope: PremisesScope, posted: FormFields?) async throws -> FormModel {
        let rooms = try await view.stores.rooms.rooms(premisesID: scope.premises.id, by: scope.principal)
        let beds: [(String, String)] = rooms.flatMap { room in
            room.beds.map { ($0.id.uuidString.lowercased(), "Bed \($0.label), \(room.name)") }
        }
        let reasons = try await view.stores.reference.entries(of: "out-of-service-reasons").filter { $0.active ?? true }.map {
            ($0.code, $0.name)
        }
        let fields: [FormModel.Field] = [
            .select("bedId", "Bed", value: posted?["bedId"], choices: beds),
            .date("start", "First night out of service", hint: DateInput.hint(scope.today), value: scope.today, posted: posted),
            .date(
                "end", "First night back in service", hint: DateInput.hint(scope.today.adding(days: 7)), value: scope.today.adding(days: 7),
                posted: posted),
            .select("reason", "Why", name: "why the bed is out of service", value: posted?["reason"], choices: reasons),
            .input("reference", "Repair or work order reference (optional)", value: posted?["reference"]),
            .textarea("notes", "Notes (optional)", value: posted?["notes"]),
        ]
        var model = FormModel(
            heading: "Take a bed out of service", caption: scope.premises.name, action: "\(scope.base)/out-of-service/new",
            formToken: FormPost.newToken(), submit: "Take the bed out of service", cancel: "\(scope.base)/out-of-service",
            intro: ["A bed allocated to someone on those nights cannot be taken out of service until they are moved."], fields: fields)
        model.askWhyOverbooked(posted, hint: "Without this bed, more people are booked than there are beds on some nights.")
        return model
    }

    private func changeModel(_ scope: PremisesScope, _ period: OutOfService, _ label: String, _ change: String, posted: FormFields?)
        -> FormModel
    {
        let words = scope.wording
        let base = "\(scope.base)/out-of-service/\(period.id.uuidString.lowercased())"
        let nights =
            "Bed \(label) is out of service from \(words.date(period.nights.first)) to \(words.date(period.nights.end.adding(days: -1)))."
        if change == "end" {
            let suggested = max(scope.today, period.nights.first.adding(days: 1))
            return FormModel(
                heading: "End the period early", caption: scope.premises.name, action: "\(base)/end", formToken: FormPost.newToken(),
                submit: "End the period early", cancel: "\(scope.base)/out-of-service", intro: [nights],
                fields: [
                    .date(
                        "end", "First night back in service",
                        hint: DateInput.hint(
                            suggested, "A night after the first night out of service and before \(words.date(period.nights.end))."),
                        value: suggested, posted: posted)
                ])
        }
        var model = FormModel(
            heading: "Cancel the out-of-service period", caption: scope.premises.name, action: "\(base)/cancel",
            formToken: FormPost.newToken(),
            submit: "Cancel the period", cancel: "\(scope.base)/out-of-service", intro: [nights], fields: [])
        model.warning = "Cancelling cannot be undone: the bed counts as in service on every one of these nights."
        model.isWarning = true
        return model
    }

    private func show(_ scope: PremisesScope, _ model: FormModel, title: String, notice: String?) -> Response {
        var chrome = scope.chrome
        chrome.back = .init(href: "\(scope.base)/out-of-service", text: "Back to beds out of service", current: false)
        chrome.notice = notice
        return view.renderer.page(
            "form", title: (model.hasErrors ? "Error: " : "") + "\(title), \(scope.premises.name)",
            chrome: chrome, view: model, status: model.hasErrors ? .badRequest : .ok)
    }
}
