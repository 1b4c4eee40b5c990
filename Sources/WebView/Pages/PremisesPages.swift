import ApprovedPremises
import Foundation
import Hummingbird
import Mustache

/// What every page of one premises starts from: who asks, the premises (seen by them, or the
/// 403/404 page), and the chrome and wording for it.
struct PremisesScope: Sendable {
    let principal: Principal
    let premises: Premises
    var chrome: Chrome
    let wording: Wording
    let today: CalendarDate

    var base: String { "/premises/\(premises.code.urlPathSegment)" }

    /// Whether the caller's role is one of `roles` (what a page offers follows what the domain allows).
    func may(_ roles: Set<Role>) -> Bool { roles.contains(principal.role) }
}

extension WebView {
    /// The scope of a premises page from its address's `{code}`.
    func premisesScope<Context: RequestContext>(_ context: Context, current: String) async throws -> PremisesScope {
        let principal = try WebScope.caller()
        guard let code = context.parameters.get("code") else { throw PageError.notFound("There is no such premises.") }
        let premises = try await stores.premises.get(code: code, by: principal)
        let zone = TimeZone(identifier: premises.timeZone) ?? Premises.defaultTimeZone
        return PremisesScope(
            principal: principal, premises: premises,
            chrome: .signedIn(principal, csrf: WebScope.csrf, premises: premises, current: current),
            wording: Wording(timeZone: zone), today: CalendarDate.today(in: zone))
    }
}

/// A list of things on a page, each a line of text with a link to where it is dealt with.
struct ItemList: Sendable, MustacheParent {
    struct Item: Sendable, MustacheParent {
        let text: String
        let href: String?
        /// A tag in words beside it (`LATE`, `MISSED`).
        let tag: String?
        let tagClass: String
        // Whether there is a link and a tag: a template asking for a value that is nil looks for
        // it again in every enclosing view (by reflection), so the template asks these instead.
        let hasHref: Bool
        let hasTag: Bool

        init(_ text: String, href: String? = nil, tag: String? = nil, tagClass: String = "") {
            self.text = text
            self.href = href
            self.tag = tag
            self.tagClass = tagClass
            hasHref = href != nil
            hasTag = tag != nil
        }

        func child(named name: String) -> Any? {
            switch name {
            case "text": text
            case "href": href
            case "tag": tag
            case "tagClass": tagClass
            case "hasHref": hasHref
            case "hasTag": hasTag
            default: nil
            }
        }
    }

    let id: String
    let heading: String
    let items: [Item]
    /// What the page says when there is nothing to list.
    let none: String
    let count: Int

    init(id: String, heading: String, items: [Item], none: String) {
        self.id = id
        self.heading = heading
        self.items = items
        self.none = none
        count = items.count
    }

    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "heading": heading
        case "items": items
        case "none": none
        case "count": count
        default: nil
        }
    }
}
