import ApprovedPremises
import Foundation
import Hummingbird

/// `/referrals/{id}/matches?arrival=&radius=`: the premises that can take a ready-to-match
/// referral, nearest first, each with the bed it would get and when that bed is free; near
/// misses with the first arrival they would fit (one click re-runs the match from it); every
/// other premises with its reasons. `/referrals/{id}/book`: the booking of one candidate's bed,
/// confirmed on a page of its own, made once; if someone else took the bed meanwhile, the
/// matches again with who took it.
struct MatchPages: Sendable {
    let view: WebView

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/referrals/:id/matches") { request, context in
            let (referral, _) = try await ReferralPages.load(view, context)
            let search = try Search(try DateInput.query(request, "arrival", name: "the arrival"), request.query("radius"))
            // After a booking that could not be made: why, kept by the post that was refused.
            let taken = try await view.draft(request).flatMap { $0.problems.first }.map { Taken(text: $0.message) }
            return try await matches(referral, search, taken: taken, status: taken == nil ? .ok : .conflict)
        }
        router.get("/referrals/:id/book") { request, context in
            let (referral, _) = try await ReferralPages.load(view, context)
            // A booking sent after the sign-in ended comes back here with its choice kept.
            let draft = try await view.draft(request)
            func kept(_ name: String) -> String? { request.query(name) ?? draft?.fields[name]?.first }
            let arrival =
                try kept("arrival").map { try CalendarDate.parse($0, field: "arrival") }
                ?? DateInput.query(request, "arrival", name: "the arrival")
            let search = try Search(arrival, kept("radius"))
            let choice = try Choice(premises: kept("premises"), bed: kept("bed"))
            let result = try await view.stores.referrals.match(
                referral.id, arrival: search.arrival, radiusMiles: search.radius, by: try WebScope.caller())
            guard let candidate = result.candidates.first(where: { $0.premisesID == choice.premises && $0.bedID == choice.bed }) else {
                return try await matches(
                    referral, search,
                    taken: try await taken(choice, result.stay)
                        ?? Taken(text: "That bed is no longer free for this stay: here are the remaining candidates."), result: result,
                    status: .conflict)
            }
            return confirmation(
                referral, candidate, result.stay, search, region: try await view.names.names("regions")[candidate.regionCode],
                notice: WebView.keptNotice(draft))
        }
        router.post("/referrals/:id/book") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            let (referral, _) = try await ReferralPages.load(view, context)
            let search = try Search(try post.fields["arrival"].map { try CalendarDate.parse($0, field: "arrival") }, post.fields["radius"])
            let choice = try Choice(premises: post.fields["premises"], bed: post.fields["bed"])
            do {
                return try await post.once(view.stores.idempotency, path: request.uri.path) {
                    let (_, placement) = try await view.stores.referrals.book(
                        referral.id, premisesID: choice.premises, bedID: choice.bed,
                        arrival: search.arrival, departure: nil, by: post.principal)
                    let premises = try await view.stores.premises.get(placement.premisesID, by: post.principal)
                    return "/premises/\(premises.code.urlPathSegment)/placements/\(placement.id.uuidString.lowercased())?done=booked"
                }
            } catch let error as DomainError where error.kind == .conflict {
                // Why not, kept; the matches again (or the referral, dealt with by someone else) by a redirect.
                let base = "/referrals/\(referral.id.uuidString.lowercased())"
                let (again, _) = try await view.stores.referrals.get(referral.id, by: post.principal)
                guard again.status == .readyToMatch || again.status == .unableToMatch else {
                    let why =
                        "This referral is \(ReferralPages.words(again.status).lowercased()) now, so it cannot be booked: someone else dealt with it a moment ago."
                    return try await post.refused(
                        FormErrors([.init(field: "referral", message: why)]), browser: view.browser, formPath: base)
                }
                let result = try await view.stores.referrals.match(
                    again.id, arrival: search.arrival, radiusMiles: search.radius, by: post.principal)
                let why = try await taken(choice, result.stay) ?? Taken(text: Wording.plain(error.message) + ".")
                return try await post.refused(
                    FormErrors([.init(field: "bed", message: why.text)]), browser: view.browser,
                    formPath: "\(base)/matches" + (search.query.isEmpty ? "" : "?" + search.query))
            }
        }
    }

    /// What was searched for: an arrival other than the referral's, a radius other than its own.
    struct Search: Sendable {
        let arrival: CalendarDate?
        let radius: Int?

        init(_ arrival: CalendarDate?, _ radius: String?) throws {
            self.arrival = arrival
            if let radius {
                guard let miles = Int(radius), (1...1000).contains(miles) else {
                    throw PageError.badRequest("The radius is a whole number of miles from 1 to 1000; not \(radius).")
                }
                self.radius = miles
            } else {
                self.radius = nil
            }
        }

        var query: String {
            [arrival.map { "arrival=\($0)" }, radius.map { "radius=\($0)" }].compactMap { $0 }.joined(separator: "&")
        }
    }

    /// The premises and bed of a candidate.
    struct Choice: Sendable {
        let premises: UUID
        let bed: UUID

        init(premises: String?, bed: String?) throws {
            guard let premises = premises.flatMap(UUID.init(uuidString:)), let bed = bed.flatMap(UUID.init(uuidString:)) else {
                throw PageError.badRequest("Choose a bed from the matches.")
            }
            self.premises = premises
            self.bed = bed
        }
    }

    /// Why the bed chosen is not there any more.
    struct Taken: Sendable { let text: String }

    private func taken(_ choice: Choice, _ stay: Nights) async throws -> Taken? {
        guard let holder = try await view.stores.placements.bedTaken(bedID: choice.bed, nights: stay, by: try WebScope.caller()) else {
            return nil
        }
        let who = holder.staffName.map { "by \($0)" } ?? "by another member of staff"
        let when =
            Date().timeIntervalSince(holder.at) < 600
            ? "a moment ago" : "at \(Wording(timeZone: Premises.defaultTimeZone).dateTime(holder.at))"
        return Taken(text: "Bed \(holder.bedLabel) was booked \(who) \(when): here are the remaining candidates.")
    }

    struct Line: Sendable {
        let premises: String
        let code: String
        let region: String
        let distance: String
        let bed: String
        let freeFrom: String
        let book: String?
        let reasons: String
        let retry: String?
        let retryText: String
    }
    struct Model: Sendable {
        let person: String
        let crn: String
        let stay: String
        let action: String
        let arrivalDay: String
        let arrivalMonth: String
        let arrivalYear: String
        let radius: String
        let taken: Taken?
        let candidates: [Line]
        let nearMisses: [Line]
        let excluded: [Line]
    }

    private func matches(
        _ referral: Referral, _ search: Search, taken: Taken?, result: MatchResult? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try WebScope.caller()
        let result =
            if let result { result } else {
                try await view.stores.referrals.match(referral.id, arrival: search.arrival, radiusMiles: search.radius, by: principal)
            }
        let words = Wording(timeZone: Premises.defaultTimeZone)
        let base = "/referrals/\(referral.id.uuidString.lowercased())"
        func miles(_ distance: Double?) -> String { distance.map { String(format: "%.1f miles", $0) } ?? "Unknown" }
        let may = ReferralStore.bookers.contains(principal.role)
        let names = try await view.names.characteristics()
        let regions = try await view.names.names("regions")
        let candidates = result.candidates.map { c in
            let query =
                "premises=\(c.premisesID.uuidString.lowercased())&bed=\(c.bedID.uuidString.lowercased())"
                + (search.query.isEmpty ? "" : "&" + search.query)
            return Line(
                premises: c.name, code: c.code, region: regions[c.regionCode] ?? c.regionCode, distance: miles(c.distanceMiles),
                bed: c.bedLabel,
                freeFrom: c.freeFrom <= result.stay.first ? "Free for the whole stay" : words.date(c.freeFrom),
                book: may ? "\(base)/book?\(query)" : nil, reasons: "", retry: nil, retryText: "")
        }
        func other(_ e: MatchResult.Excluded) -> Line {
            let retry = e.freeFrom.map { "\(base)/matches?arrival=\($0)" + (search.radius.map { "&radius=\($0)" } ?? "") }
            return Line(
                premises: e.name, code: e.code, region: regions[e.regionCode] ?? e.regionCode, distance: miles(e.distanceMiles), bed: "",
                freeFrom: e.freeFrom.map(words.date) ?? "", book: nil,
                reasons: Wording.datesInWords(e.reasons.map { ReferralSummaries.reason($0, names: names) }.joined(separator: "; ")),
                retry: retry, retryText: e.freeFrom.map { "Match again arriving \(words.date($0))" } ?? "")
        }
        let arrival = DateInput.parts(search.arrival ?? referral.details.expectedArrival)
        let model = Model(
            person: referral.details.personName, crn: referral.details.crn,
            stay: "\(words.date(result.stay.first)) to \(words.date(result.stay.end)) (\(result.stay.count) nights)",
            action: "\(base)/matches", arrivalDay: arrival.day, arrivalMonth: arrival.month, arrivalYear: arrival.year,
            radius: "\(search.radius ?? referral.details.radiusMiles ?? 50)", taken: taken, candidates: candidates,
            nearMisses: result.excluded.filter(\.isNearMiss).map(other), excluded: result.excluded.filter { !$0.isNearMiss }.map(other))
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "referrals")
        chrome.back = .init(href: base, text: "Back to \(referral.details.personName)", current: false)
        return view.renderer.page(
            "matches", title: (taken == nil ? "" : "Error: ") + "Beds for \(referral.details.personName)", chrome: chrome, view: model,
            status: status)
    }

    struct Confirmation: Sendable {
        let caption: String
        let rows: [PlacementPages.SummaryRow]
        let action: String
        let formToken: String
        let premises: String
        let bed: String
        let arrival: String
        let radius: String?
        let cancel: String
    }

    private func confirmation(
        _ referral: Referral, _ candidate: MatchResult.Candidate, _ stay: Nights, _ search: Search, region: String?,
        notice: String?
    ) -> Response {
        let principal = WebScope.principal!
        let words = Wording(timeZone: Premises.defaultTimeZone)
        let base = "/referrals/\(referral.id.uuidString.lowercased())"
        let matches = "\(base)/matches" + (search.query.isEmpty ? "" : "?" + search.query)
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "referrals")
        chrome.back = .init(href: matches, text: "Back to the matches", current: false)
        chrome.notice = notice
        let model = Confirmation(
            caption: "\(referral.details.personName) (\(referral.details.crn))",
            rows: [
                .init(
                    key: "Premises", value: "\(candidate.name) (\(candidate.code)), \(region ?? candidate.regionCode)", change: matches,
                    changeName: "the premises"),
                .init(key: "Bed", value: candidate.bedLabel, change: matches, changeName: "the bed"),
                .init(key: "Arrival", value: words.date(stay.first), change: matches + "#arrival-day", changeName: "the arrival"),
                .init(key: "Departure", value: "\(words.date(stay.end)) (\(stay.count) nights)"),
                .init(key: "Distance from home", value: candidate.distanceMiles.map { String(format: "%.1f miles", $0) } ?? "Unknown"),
            ],
            action: "\(base)/book", formToken: FormPost.newToken(), premises: candidate.premisesID.uuidString.lowercased(),
            bed: candidate.bedID.uuidString.lowercased(), arrival: "\(stay.first)", radius: search.radius.map(String.init), cancel: matches)
        return view.renderer.page(
            "confirm-booking", title: "Check the booking, \(referral.details.personName)", chrome: chrome, view: model)
    }
}
