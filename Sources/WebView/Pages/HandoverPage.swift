import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/handovers/{id}`: a handover as written (any of the premises', old or new), who has acknowledged it, and the
/// button that acknowledges it (once, however often it is pressed).
struct HandoverPage: Sendable {
    let view: WebView

    struct Model: Sendable {
        struct Watch: Sendable {
            let person: String
            let href: String
            let why: String
        }
        let heading: String
        let written: String
        let notes: String
        let watch: [Watch]
        let tasks: [String]
        let acknowledgements: [String]
        let action: String
        let formToken: String
        let mayAcknowledge: Bool
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/handovers/:id") { request, context in
            let scope = try await view.premisesScope(context, current: "today")
            let handover = try await handover(scope, context)
            var chrome = scope.chrome
            chrome.done = request.query("done") == "acknowledged" ? "Handover acknowledged" : nil
            chrome.back = .init(href: scope.base, text: "Back to today", current: false)
            let words = scope.wording
            let acknowledged = handover.acknowledgements.contains { $0.staffName == scope.principal.displayName }
            let model = Model(
                heading: "\(handover.shift.capitalized) shift handover",
                written: "Written by \(handover.writtenBy), \(words.dateTime(handover.writtenAt))",
                notes: handover.notes,
                watch: handover.watch.map {
                    .init(person: $0.personName, href: "\(scope.base)/placements/\($0.placementID.uuidString.lowercased())", why: $0.why)
                },
                tasks: handover.tasks, acknowledgements: handover.acknowledgements.map { "\($0.staffName), \(words.dateTime($0.at))" },
                action: "\(scope.base)/handovers/\(handover.id.uuidString.lowercased())", formToken: FormPost.newToken(),
                mayAcknowledge: scope.may(HandoverStore.staff) && !acknowledged)
            return view.renderer.page("handover", title: "\(model.heading), \(scope.premises.name)", chrome: chrome, view: model)
        }
        router.post("/premises/:code/handovers/:id") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let scope = try await view.premisesScope(context, current: "today")
            let handover = try await handover(scope, context)
            let href = "\(scope.base)/handovers/\(handover.id.uuidString.lowercased())"
            return try await post.once(view.stores.idempotency, path: request.uri.path) {
                _ = try await view.stores.handovers.acknowledge(handover.id, by: scope.principal)
                return "\(href)?done=acknowledged"
            }
        }
    }

    /// The handover of the address, at the premises of the address.
    private func handover<Context: RequestContext>(_ scope: PremisesScope, _ context: Context) async throws -> Handover {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw PageError.notFound("There is no handover like that at \(scope.premises.name).")
        }
        return try await view.stores.handovers.get(id, premisesID: scope.premises.id, by: scope.principal)
    }
}
