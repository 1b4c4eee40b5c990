import ApprovedPremises
import Foundation

extension Chrome {
    /// The chrome of a signed-in page: who, their role and scope, and the links their role may
    /// use (`premises`: the premises the page belongs to, for its links; `current` marks the
    /// page's own link).
    static func signedIn(_ principal: Principal, csrf: String, premises: Premises? = nil, current: String = "") -> Chrome {
        var chrome = Chrome()
        chrome.signedIn = true
        chrome.displayName = principal.displayName
        chrome.roleTitle = principal.role.title.prefix(1).uppercased() + principal.role.title.dropFirst()
        chrome.csrf = csrf
        chrome.sessionEnds = principal.expiresAt.formatted(.iso8601)
        switch principal.role {
        case .administrator, .referralManager: chrome.scope = "every AP"
        case .probationPractitioner: chrome.scope = WebScope.regionName ?? "their region"
        case .sarOfficer: chrome.scope = "every AP's records, through the export"
        case .regionalManager: chrome.scope = WebScope.regionName ?? "their region"
        default: chrome.scope = premises?.name ?? "their AP"
        }
        chrome.navigation = navigation(principal.role, premises: premises, current: current)
        chrome.guide = guide(principal.role)
        return chrome
    }

    /// The guide (an article of the documentation served at `/docs`) for a role's own work.
    static func guide(_ role: Role) -> Link {
        let (article, title): (String, String) =
            switch role {
            case .residentialWorker: ("nightshift", "The night shift with ap")
            case .keyWorker: ("keywork", "Key work, testing and move-on")
            case .apManager: ("apmanager", "The AP manager in the browser")
            case .referralManager: ("referralmanager", "The referral manager")
            case .regionalManager: ("reports", "Regional reports and their definitions")
            case .administrator: ("operator", "The operator")
            case .probationPractitioner: ("practitioner", "Applying for a place and following it")
            case .sarOfficer: ("dataprotection", "A person's data: subject access and retention")
            }
        return Link(href: "/docs/documentation/approvedpremises/\(article)", text: "Your guide: \(title)", current: false)
    }

    /// The links a role may use: the national queue, the occupancy board and the reports for
    /// those who work across premises; a premises' today page, bed board and placements when
    /// the page belongs to one (premises staff always have their own through `/`).
    static func navigation(_ role: Role, premises: Premises?, current: String) -> [Link] {
        func link(_ href: String, _ text: String, _ key: String) -> Link { Link(href: href, text: text, current: current == key) }
        var links = [Link]()
        switch role {
        case .administrator, .referralManager:
            links = [
                link("/referrals", "Referrals", "referrals"), link("/transfers", "Transfers", "transfers"),
                link("/occupancy", "Occupancy", "occupancy"), link("/reports/occupancy", "Reports", "reports"),
                link("/premises", "Premises", "home"),
            ]
        case .regionalManager:
            links = [
                link("/occupancy", "Occupancy", "occupancy"), link("/reports/occupancy", "Reports", "reports"),
                link("/premises", "Premises", "home"),
            ]
        case .probationPractitioner:
            return [link("/referrals", "Your referrals", "referrals")]
        case .sarOfficer:
            return [link("/subject-access", "Subject access", "subject-access")]
        default:
            if premises == nil { links = [link("/", "Today", "today")] }
        }
        if let premises {
            let base = "/premises/\(premises.code.urlPathSegment)"
            links += [
                link(base, "Today", "today"), link(base + "/beds", "Bed board", "beds"),
                link(base + "/placements", "Placements", "placements"),
            ]
        }
        if let premises, role.isPremisesStaff {
            links.append(link("/premises/\(premises.code.urlPathSegment)/key-work", "Key work", "key-work"))
        }
        if role == .apManager {
            links += [
                link("/referrals", "Referrals", "referrals"), link("/transfers", "Transfers", "transfers"),
                link("/staff", "Staff", "staff"),
            ]
        }
        if role == .administrator {
            links += [
                link("/notifications", "E-mail", "notifications"), link("/staff", "Staff", "staff"),
                link("/subject-access", "Subject access", "subject-access"),
            ]
        }
        if role.isPremisesStaff { links.append(link("/reports/occupancy", "Reports", "reports")) }
        return links
    }
}

extension String {
    /// The text as one segment of a URL path.
    var urlPathSegment: String {
        addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? self
    }

    /// The text as a URL query value.
    var urlQueryValue: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? self
    }
}

/// Dates and times as staff read them, in the premises' own zone.
struct Wording: Sendable {
    let timeZone: TimeZone

    private static let months = DateTimeText.months
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// `Wednesday 2 December 2026`.
    func date(_ date: CalendarDate) -> String {
        let (year, month, day) = date.parts
        return "\(Self.weekdays[Self.weekday(date)]) \(day) \(Self.months[month - 1]) \(year)"
    }

    /// `2 Dec`.
    func shortDate(_ date: CalendarDate) -> String {
        let (_, month, day) = date.parts
        return "\(day) \(Self.months[month - 1].prefix(3))"
    }

    /// `Wed`.
    func weekdayShort(_ date: CalendarDate) -> String { String(Self.weekdays[Self.weekday(date)].prefix(3)) }

    /// 0 for Sunday … 6 for Saturday (1970-01-01 was a Thursday).
    static func weekday(_ date: CalendarDate) -> Int { ((date.daysSinceEpoch % 7) + 7 + 4) % 7 }

    /// `21:40`, local.
    func time(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: instant)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }

    /// `Wednesday 2 December 2026 at 21:40`, local.
    func dateTime(_ instant: Date) -> String {
        "\(date(CalendarDate.today(in: timeZone, now: instant))) at \(time(instant))"
    }

    /// A message from the domain said as a page says it: an API field name (`arrivedAt`) as the
    /// form's label names it (`names`, "the date of arrival") or in plain words, a date
    /// (`2026-12-26`) in words, an identifier left out, and a capital first letter.
    static func plain(_ message: String, names: [String: String] = [:]) -> String {
        var text = message
        text = text.replacing(/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/) { _ in "" }
            .replacingOccurrences(of: "  ", with: " ")
        text = datesInWords(text)
        text = text.replacing(/\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/) { match in
            let word = String(match.output)
            if let name = names[word] { return name }
            return "the " + word.replacing(/[A-Z]/) { " " + $0.output.lowercased() }
        }
        text = text.replacing(/\b[a-z]+(?:_[a-z0-9]+)+\b/) { match in match.output.replacingOccurrences(of: "_", with: " ") }
        text = text.replacingOccurrences(of: "the the ", with: "the ").replacingOccurrences(of: " ,", with: ",").trimmingCharacters(
            in: .whitespaces)
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    /// The text with every `2026-12-26` in it said in words ("Saturday 26 December 2026").
    static func datesInWords(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, bytes.contains(0x2D) else { return text }
        func digit(_ i: Int) -> Bool { bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        func boundary(_ i: Int) -> Bool { i < 0 || i >= bytes.count || !(digit(i) || (bytes[i] | 0x20 >= 0x61 && bytes[i] | 0x20 <= 0x7A)) }
        var out = [UInt8]()
        var i = 0
        var changed = false
        out.reserveCapacity(bytes.count + 32)
        while i < bytes.count {
            if i + 10 <= bytes.count, boundary(i - 1), boundary(i + 10), bytes[i + 4] == 0x2D, bytes[i + 7] == 0x2D,
                [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy({ digit(i + $0) }),
                let date = CalendarDate(String(decoding: bytes[i..<(i + 10)], as: UTF8.self))
            {
                out += Array(Wording(timeZone: Premises.defaultTimeZone).date(date).utf8)
                i += 10
                changed = true
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// `JS` for `Jo Smith`.
    static func initials(_ name: String) -> String {
        String(name.split(separator: " ").compactMap(\.first).prefix(3)).uppercased()
    }
}
