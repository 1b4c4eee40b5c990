import ApprovedPremises
import Foundation
import Mustache

/// Renders a notification as the e-mail handed to the mail transfer agent: headers (the stable
/// `Message-ID` among them) and a plain-text body from `MailTemplates`.
struct MailRenderer: Sendable {
    /// The address messages come from (`AP_MAIL_FROM`).
    let from: String
    /// The web view's address, for the links (`AP_PUBLIC_URL`).
    let publicURL: String
    let subjects: [String: MustacheTemplate]
    let bodies: [String: MustacheTemplate]

    init(from: String, publicURL: String) throws {
        self.from = from
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        subjects = try MailTemplates.subjects.mapValues { try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + $0) }
        bodies = try MailTemplates.bodies.mapValues { try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + $0 + MailTemplates.footer) }
    }

    /// The whole message, headers and body, as `sendmail -t` reads it.
    func message(_ notification: OutboxMessage, now: Date = Date()) throws -> String {
        guard let subject = subjects[notification.event], let body = bodies[notification.event], let to = notification.recipient else {
            throw DomainError(.invalid, "no template for the event \(notification.event), or no recipient")
        }
        var values = Self.values(notification.details, publicURL: publicURL)
        if notification.recipientKind == .practitioner, let referral = notification.referralID {
            // A practitioner reads their referral's own pages, never the AP's.
            values["link"] =
                publicURL + "/referrals/\(referral.uuidString.lowercased())"
                + (notification.event == "departed" ? "/departure-summary" : "")
        }
        let headers = [
            ("From", from),
            ("To", to),
            ("Subject", Self.encodedHeader(subject.render(values))),
            ("Date", Self.rfc5322(now)),
            ("Message-ID", notification.messageID ?? "<\(notification.id.uuidString.lowercased())@approved-premises>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
            ("Auto-Submitted", "auto-generated"),
            ("X-AP-Event", notification.event),
        ]
        let head = headers.map { "\($0.0): \(Self.oneLine($0.1))" }.joined(separator: "\n")
        return head + "\n\n" + body.render(values) + "\n"
    }

    /// The details as the templates read them: dates in words, the curfew's start on the
    /// premises' clock, the link made whole.
    static func values(_ details: [String: String], publicURL: String) -> [String: String] {
        var values = details
        for key in ["arrival", "departure", "expectedDeparture"] {
            if let text = details[key], let date = CalendarDate(text) {
                let parts = date.parts
                values[key] = "\(parts.day) \(DateTimeText.months[parts.month - 1]) \(parts.year)"
            }
        }
        if let start = details["curfewStart"], let moment = Self.timestamp(start) {
            values["curfewStart"] = DateTimeText.spoken(moment, in: Premises.defaultTimeZone)
        }
        if let outcome = details["outcome"] {
            values["outcome"] = outcome.replacingOccurrences(of: "_", with: " ").replacingOccurrences(
                of: " pp", with: " the probation practitioner")
        }
        values["link"] = publicURL + (details["link"] ?? "/")
        return values
    }

    /// A timestamp as PostgreSQL's JSON writes one (`2026-12-07T23:00:00+00:00`).
    static func timestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return ISO8601DateFormatter().date(from: text) ?? formatter.date(from: text)
    }

    /// A header value on one line: a name with a line break in it never starts a header of its own.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    /// RFC 2047's encoded word for a header that is not plain ASCII (a name with an accent).
    static func encodedHeader(_ text: String) -> String {
        let line = oneLine(text)
        guard line.unicodeScalars.contains(where: { !$0.isASCII }) else { return line }
        return "=?UTF-8?B?\(Data(line.utf8).base64EncodedString())?="
    }

    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
