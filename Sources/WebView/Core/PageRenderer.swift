import ApprovedPremises
import Foundation
import Hummingbird
import Mustache

/// The templates, parsed once at start-up, and the page every template is laid out in.
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    /// Whether the guides are served at `/docs`, so that the footer may link to them.
    let guides: Bool

    /// Loads every `.mustache` file under the target's `Templates` folder; a template that does
    /// not parse stops the service at start-up, not at the first request.
    init(guides: Bool = false) throws {
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw PageError.missingTemplates
        }
        var library = MustacheLibrary()
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            try library.register(text, named: String(name.dropLast(".mustache".count)))
        }
        self.library = library
        self.guides = guides
    }

    /// A page: `template` laid out with the header, navigation and banners of `chrome`.
    func page<View>(_ template: String, title: String, chrome: Chrome, view: View, status: HTTPResponse.Status = .ok) -> Response {
        var chrome = chrome
        if !guides { chrome.guide = nil }
        let html = library.render(Page(title: title, chrome: chrome, view: view), withTemplate: template) ?? ""
        return Self.html(html, status: status)
    }

    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Post/redirect/get: after a change, the browser is sent to the page that shows it.
    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

/// What every template is given: its title, the chrome around it, and its own view model.
struct Page<View>: @unchecked Sendable {
    // Unchecked: built and rendered within one request, never shared between tasks.
    let title: String
    let chrome: Chrome
    let view: View
}

/// The parts of the layout that depend on who is signed in: the header, the navigation, the
/// form token and the banner after a change.
struct Chrome: Sendable {
    struct Link: Sendable {
        let href: String
        let text: String
        let current: Bool
    }

    var signedIn: Bool = false
    var displayName: String = ""
    var roleTitle: String = ""
    var scope: String = ""
    var csrf: String = ""
    var navigation: [Link] = []
    /// A success banner's heading (after a change).
    var done: String?
    /// An important notice (answers kept after the sign-in ended, say).
    var notice: String?
    /// When the session ends, ISO 8601 (the time-out warning counts down to it).
    var sessionEnds: String = ""
    /// A back link.
    var back: Link?
    /// Whether this page prints (the bed board): the print stylesheet takes the navigation away.
    var printable: Bool = false
    /// The guide for the signed-in person's role, linked from the footer when the guides are served.
    var guide: Link?
}

/// A page the web view answers with instead of the one asked for: why, in words for the person.
enum PageError: Error {
    case notFound(String)
    case forbidden(String)
    case badRequest(String)
    /// A form sent after the sign-in ended: its answers are kept, and after signing in the
    /// browser goes to `next` (the form's page with them).
    case signedOut(next: String)
    /// An address of the API asked for by a browser that accepts only HTML.
    case notAcceptable
    case missingTemplates
}

// The views every page renders, named to the templates directly: a template looks a name up in
// each view it is inside, and by reflection that walks every stored property of the view for each
// lookup (a quarter of a today page's time). These answer by name.
extension Page: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "chrome": chrome
        case "view": view
        default: nil
        }
    }
}

extension Chrome: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "signedIn": signedIn
        case "displayName": displayName
        case "roleTitle": roleTitle
        case "scope": scope
        case "csrf": csrf
        case "navigation": navigation
        case "done": done
        case "notice": notice
        case "sessionEnds": sessionEnds
        case "back": back
        case "printable": printable
        case "guide": guide
        default: nil
        }
    }
}

extension Chrome.Link: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "href": href
        case "text": text
        case "current": current
        default: nil
        }
    }
}
