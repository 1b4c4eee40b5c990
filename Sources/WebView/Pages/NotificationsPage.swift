import ApprovedPremises
import Foundation
import Hummingbird

/// `/notifications`: for administrators, the e-mail that failed (with why, and a button that
/// resends it) and the e-mail waiting to be handed to the mail server (with its next try).
struct NotificationsPage: Sendable {
    let view: WebView

    struct Line: Sendable {
        let written: String
        let to: String
        let what: String
        let about: String
        let aboutHref: String?
        let delivery: String
        /// Where the resend button posts; nil while the message still has nowhere to go.
        let resend: String?
        let formToken: String
    }
    struct Model: Sendable {
        let failed: [Line]
        let waiting: [Line]
        let summary: String
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/notifications") { request, _ in
            let principal = try WebScope.caller()
            let words = Wording(timeZone: Premises.defaultTimeZone)
            let store = view.stores.notifications
            let page = try PageRequest(limit: 200)
            let failed = try await store.list(state: .failed, page: page, by: principal).items
            let waiting = try await store.list(state: .waiting, page: page, by: principal).items
            let lines = { (messages: [OutboxMessage]) in messages.map { line($0, words: words) } }
            var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "notifications")
            chrome.done = request.query("done") == "resent" ? "The message is queued again: it is sent within a few seconds" : nil
            let model = Model(
                failed: lines(failed), waiting: lines(waiting),
                summary: "\(failed.count) failed, \(waiting.count) waiting"
                    + (failed.count == 200 || waiting.count == 200 ? " (the newest 200 of each)" : ""))
            return view.renderer.page("notifications", title: "E-mail", chrome: chrome, view: model)
        }
        router.post("/notifications/:id/resend") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let principal = try WebScope.caller()
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
                throw PageError.notFound("There is no such message.")
            }
            return try await post.once(view.stores.idempotency, path: request.uri.path) {
                _ = try await view.stores.notifications.resend(id, by: principal)
                return "/notifications?done=resent"
            }
        }
    }

    private func line(_ message: OutboxMessage, words: Wording) -> Line {
        let person = [message.details["personName"], message.details["crn"].map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        return Line(
            written: words.dateTime(message.createdAt), to: MessageWords.recipient(message), what: MessageWords.event(message),
            about: person, aboutHref: message.details["link"], delivery: MessageWords.delivery(message, words: words),
            resend: message.addressNow == nil ? nil : "/notifications/\(message.id.uuidString.lowercased())/resend",
            formToken: FormPost.newToken())
    }
}
