import Foundation
import Postgres

/// Which premises and beds suit a referral, nearest first, and why every other premises does not.
///
/// Hard filters: men's or women's AP, the AP type asked for, acceptance of each offence flag,
/// the premises characteristics asked for, within the radius, and one single bed that has every
/// required room characteristic and is in use, in service and unallocated on every night of the
/// stay, at a premises not full on any of those nights. Ranked by distance from the home
/// postcode district, then by how soon a bed is free.
public struct MatchResult: Sendable, Equatable {
    /// A premises that can take the referral.
    public struct Candidate: Sendable, Equatable {
        public var premisesID: UUID
        public var code: String
        public var name: String
        public var regionCode: String
        public var distanceMiles: Double?
        public var bedID: UUID
        public var bedLabel: String
        public var freeFrom: CalendarDate
    }

    /// A premises left out, and why.
    public struct Excluded: Sendable, Equatable {
        public var premisesID: UUID
        public var code: String
        public var name: String
        public var regionCode: String
        public var distanceMiles: Double?
        public var reasons: [String]
        /// For a premises left out only because no bed is free throughout: when one is.
        public var freeFrom: CalendarDate?

        /// Left out for one reason only: the nearest of these is what a referral manager might
        /// negotiate (a later date, a wider radius).
        public var isNearMiss: Bool { reasons.count == 1 }
    }

    public var stay: Nights
    public var candidates: [Candidate]
    public var excluded: [Excluded]

    /// How far past the asked arrival matching looks for a full premises' first free date.
    public static let searchAheadDays = MatchRules.searchAheadDays

    /// The nearest premises left out for a single reason.
    public var nearestNearMiss: Excluded? { excluded.first(where: \.isNearMiss) }
}

/// The facts about one premises that matching needs.
struct MatchPremises: Sendable {
    var id: UUID
    var code: String
    var name: String
    var regionCode: String
    var gender: String
    var apType: String
    var active: Bool
    var features: Set<String>
    var latitude: Double?
    var longitude: Double?
    /// Its postcode district (outcode), for exclusion zones.
    var district: String? = nil
    var beds: [AllocationPlanner.BedSlot]
    /// Each night's counts from the first night of the stay to the end of the search ahead.
    var nights: [Capacity.Night]

    /// Nights one more placement with `needs` would not fit, within `stay`.
    func shortfalls(_ stay: Nights, needs: [String]) -> [Capacity.Shortfall] {
        Capacity.shortfalls(adding: needs, to: nights.filter { stay.contains($0.night) })
    }
}

/// What a stay asks of a premises: a referral's answers, or those of a resident moved on by a
/// transfer (their referral's, or their stay's when they came without one).
struct MatchAsk: Sendable {
    var gender: String
    var apType: String
    var offenceFlags: [String]
    var premisesNeeds: [String]
    var roomNeeds: Set<String>
    var radiusMiles: Int?
    /// Postcode districts the person must not live in (those named in their exclusion zones).
    var excludedDistricts: Set<String> = []
    /// Premises left out whatever they offer (the one a resident is moved out of), and why.
    var leftOut: [UUID: String] = [:]

    init(referral: Referral, excludedDistricts: Set<String> = []) {
        gender = referral.details.gender == "woman" ? "women" : "men"
        apType = referral.details.apType
        offenceFlags = referral.details.offenceFlags
        premisesNeeds = referral.details.premisesNeeds
        roomNeeds = referral.requiredRoomCharacteristics
        radiusMiles = referral.details.radiusMiles
        self.excludedDistricts = excludedDistricts
    }

    init(gender: String, apType: String, roomNeeds: Set<String>) {
        (self.gender, self.apType, self.roomNeeds) = (gender, apType, roomNeeds)
        (offenceFlags, premisesNeeds) = ([], [])
    }

    /// The postcode districts named in an exclusion zones answer ("M14, M15 and the city
    /// centre" names M14 and M15): the words around them are for people to read.
    static func districts(in text: String?) -> Set<String> {
        guard let text else { return [] }
        return Set(
            text.uppercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter {
                $0.wholeMatch(of: /[A-Z]{1,2}[0-9][0-9A-Z]?/) != nil
            })
    }
}

/// The pure part of matching: filters, reasons and ranking.
enum MatchRules {
    static let searchAheadDays = 56

    static func distanceMiles(_ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let radius = 3958.8
        let (lat1, lon1, lat2, lon2) = (a.0 * .pi / 180, a.1 * .pi / 180, b.0 * .pi / 180, b.1 * .pi / 180)
        let h = pow(sin((lat2 - lat1) / 2), 2) + cos(lat1) * cos(lat2) * pow(sin((lon2 - lon1) / 2), 2)
        return 2 * radius * asin(min(1, sqrt(h)))
    }

    static func match(_ referral: Referral, stay: Nights, home: (Double, Double), premises: [MatchPremises]) -> MatchResult {
        match(MatchAsk(referral: referral), stay: stay, home: home, premises: premises)
    }

    static func match(_ ask: MatchAsk, stay: Nights, home: (Double, Double), premises: [MatchPremises]) -> MatchResult {
        let wantedGender = ask.gender
        let roomNeeds = ask.roomNeeds
        var candidates = [MatchResult.Candidate]()
        var excluded = [MatchResult.Excluded]()
        for ap in premises {
            let distance = ap.latitude.flatMap { lat in ap.longitude.map { distanceMiles(home, (lat, $0)) } }
            var reasons = [String]()
            if let why = ask.leftOut[ap.id] { reasons.append(why) }
            if !ap.active { reasons.append("is archived") }
            if ap.gender != wantedGender { reasons.append("is an AP for \(ap.gender), not \(wantedGender)") }
            if ap.apType != ask.apType { reasons.append("is a \(ap.apType) AP, not \(ask.apType)") }
            if let district = ap.district, ask.excludedDistricts.contains(district) {
                reasons.append("is in \(district), inside the person's exclusion zones")
            }
            for flag in ask.offenceFlags.sorted() {
                if let acceptance = Referral.acceptanceFor[flag], !ap.features.contains(acceptance) {
                    reasons.append("does not accept \(flag) (\(acceptance))")
                }
            }
            let lacking = Set(ask.premisesNeeds).subtracting(ap.features).sorted()
            if !lacking.isEmpty { reasons.append("lacks \(lacking.joined(separator: ", "))") }
            if let radius = ask.radiusMiles {
                if let distance, distance > Double(radius) {
                    reasons.append(String(format: "is %.0f miles away, outside the %d-mile radius", distance, radius))
                } else if distance == nil {
                    reasons.append("has no known postcode district, so its distance is unknown")
                }
            }
            let suitable = ap.beds.filter { roomNeeds.isSubset(of: $0.characteristics) }
            var freeFrom: CalendarDate? = nil
            var bed: AllocationPlanner.BedSlot? = nil
            let needs = roomNeeds.sorted()
            let shortfalls = ap.shortfalls(stay, needs: needs)
            if suitable.isEmpty {
                let spread = roomNeeds.allSatisfy { need in ap.beds.contains { $0.characteristics.contains(need) } }
                reasons.append(
                    roomNeeds.isEmpty
                        ? "has no bed in use"
                        : roomNeeds.count > 1 && spread
                            ? "has \(roomNeeds.sorted().joined(separator: " and ")) only in different rooms, never in one bed"
                            : "has no bed with \(roomNeeds.sorted().joined(separator: " and "))")
            } else {
                bed = freeBed(suitable, for: stay, needs: roomNeeds)
                if bed == nil {
                    reasons.append(
                        "has no bed\(roomNeeds.isEmpty ? "" : " with \(needs.joined(separator: " and "))") free and in service on every night of the stay"
                    )
                } else if !shortfalls.isEmpty {
                    reasons.append(Capacity.describe(shortfalls, premises: "it").replacingOccurrences(of: "it is full", with: "is full"))
                }
                // The first date it has room is told only of a premises left out for that alone.
                if (bed == nil || !shortfalls.isEmpty) && reasons.count == 1 {
                    freeFrom = firstFree(ap, beds: suitable, after: stay, needs: roomNeeds)
                }
            }
            if reasons.isEmpty, let bed {
                candidates.append(
                    .init(
                        premisesID: ap.id, code: ap.code, name: ap.name, regionCode: ap.regionCode, distanceMiles: distance,
                        bedID: bed.id, bedLabel: bed.label, freeFrom: stay.first))
            } else {
                excluded.append(
                    .init(
                        premisesID: ap.id, code: ap.code, name: ap.name, regionCode: ap.regionCode, distanceMiles: distance,
                        reasons: reasons, freeFrom: reasons.count == 1 ? freeFrom : nil))
            }
        }
        let far = Double.greatestFiniteMagnitude
        candidates.sort { ($0.distanceMiles ?? far, $0.freeFrom, $0.name) < ($1.distanceMiles ?? far, $1.freeFrom, $1.name) }
        excluded.sort { ($0.distanceMiles ?? far, $0.name) < ($1.distanceMiles ?? far, $1.name) }
        return MatchResult(stay: stay, candidates: candidates, excluded: excluded)
    }

    /// The first start after `stay`'s, within the search ahead, from which a stay as long fits:
    /// a bed free throughout and no night on which the premises would be full. Each night's
    /// shortfall is worked out once, and a start is tried only when none of its nights has one.
    static func firstFree(_ ap: MatchPremises, beds: [AllocationPlanner.BedSlot], after stay: Nights, needs: Set<String>) -> CalendarDate? {
        let searched = stay.count + searchAheadDays
        // short[i]: whether night i (from the stay's first) is one on which another placement would not fit.
        var short = [Bool](repeating: false, count: searched)
        for shortfall in Capacity.shortfalls(adding: needs.sorted(), to: ap.nights) {
            let index = stay.first.days(to: shortfall.night)
            if (0..<searched).contains(index) { short[index] = true }
        }
        // shortBefore[i]: short nights among the first i.
        var shortBefore = [0]
        shortBefore.reserveCapacity(searched + 1)
        for isShort in short { shortBefore.append(shortBefore[shortBefore.count - 1] + (isShort ? 1 : 0)) }
        for offset in 1...searchAheadDays where shortBefore[offset + stay.count] == shortBefore[offset] {
            let start = stay.first.adding(days: offset)
            if freeBed(beds, for: Nights(first: start, end: start.adding(days: stay.count)), needs: needs) != nil { return start }
        }
        return nil
    }

    /// The best bed free and in use on every night, keeping special rooms for those who need them.
    static func freeBed(_ beds: [AllocationPlanner.BedSlot], for stay: Nights, needs: Set<String>) -> AllocationPlanner.BedSlot? {
        beds.filter { bed in
            bed.inUse.first <= stay.first && bed.inUse.end >= stay.end && !bed.busy.contains { $0.overlaps(stay) }
        }.min { ($0.characteristics.subtracting(needs).count, $0.label) < ($1.characteristics.subtracting(needs).count, $1.label) }
    }
}

extension ReferralStore {
    /// Matches a ready-to-match referral for its dates (or `arrival` instead of its expected one).
    public func match(_ id: UUID, arrival: CalendarDate?, radiusMiles: Int?, by principal: Principal) async throws -> MatchResult {
        try principal.require(Self.assessors, to: "match referrals")
        return try await pool.withConnection { connection in
            var referral = try await Self.load(id, visibleTo: principal, on: connection, lock: false)
            guard referral.status == .readyToMatch || referral.status == .unableToMatch else {
                throw DomainError(
                    .conflict,
                    "only an accepted referral can be matched; this one is \(referral.status.rawValue.replacingOccurrences(of: "_", with: " "))"
                )
            }
            if let radiusMiles { referral.details.radiusMiles = radiusMiles }
            let first = arrival ?? referral.details.expectedArrival
            var length = referral.details.lengthOfStayDays
            if length == nil {
                length = try await connection.one(
                    "SELECT default_stay_weeks * 7 AS days FROM ap_type WHERE code = \(referral.details.apType)"
                ).decode("days", as: Int.self)
            }
            let stay = Nights(first: first, end: first.adding(days: length!))
            guard
                let home = try await connection.first(
                    "SELECT latitude, longitude FROM postcode_district WHERE outcode = \(referral.details.homeDistrict)")
            else {
                throw DomainError.invalid(
                    field: "homeDistrict", rule: "unknown", "the referral's home district is not a known postcode district")
            }
            let premises = try await MatchRules.premises(for: stay, needs: referral.requiredRoomCharacteristics.sorted(), on: connection)
            let zones = try await MatchRules.knownDistricts(MatchAsk.districts(in: referral.details.exclusionZones), on: connection)
            return MatchRules.match(
                MatchAsk(referral: referral, excludedDistricts: zones), stay: stay,
                home: (try home.decode("latitude"), try home.decode("longitude")), premises: premises)
        }
    }
}

extension MatchRules {
    /// Every premises with its beds, their busy nights and each night's counts, for matching a
    /// stay of `stay` (and the search ahead) that needs `needs`.
    static func premises(for stay: Nights, needs: [String], on connection: PostgresConnection) async throws -> [MatchPremises] {
        let window: SQL = "daterange(\(stay.first)::date, \(stay.end.adding(days: MatchRules.searchAheadDays))::date, '[)')"
        let premisesRows = try await connection.query(
            """
            SELECT p.id, p.code, p.name, p.region_code, p.gender, p.ap_type_code, p.active, d.outcode, d.latitude, d.longitude,
                   coalesce((SELECT string_agg(f.characteristic_code, ',') FROM premises_feature f WHERE f.premises_id = p.id), '') AS features
            FROM premises p LEFT JOIN postcode_district d ON d.outcode = upper(split_part(btrim(p.postcode), ' ', 1))
            ORDER BY p.code
            """)
        let bedRows = try await connection.query(
            """
            SELECT b.id, b.premises_id, b.label, lower(b.in_use) AS first, upper(b.in_use) AS until,
                   coalesce((SELECT string_agg(f.characteristic_code, ',') FROM room_feature f WHERE f.room_id = b.room_id), '') AS features
            FROM bed b
            """)
        let busyRows = try await connection.query(
            """
            SELECT a.bed_id, lower(a.nights) AS first, upper(a.nights) AS end FROM bed_allocation a
            WHERE a.released_at IS NULL AND a.nights && \(window)
            UNION ALL
            SELECT o.bed_id, lower(o.nights), upper(o.nights) FROM bed_out_of_service o
            WHERE o.cancelled_at IS NULL AND o.nights && \(window)
            """)
        var busy = [UUID: [Nights]]()
        for row in busyRows {
            busy[try row.decode("bed_id"), default: []].append(Nights(first: try row.decode("first"), end: try row.decode("end")))
        }
        var beds = [UUID: [AllocationPlanner.BedSlot]]()
        for row in bedRows {
            let id: UUID = try row.decode("id")
            let until: CalendarDate? = try row.decode("until")
            beds[try row.decode("premises_id"), default: []].append(
                AllocationPlanner.BedSlot(
                    id: id, label: try row.decode("label"),
                    characteristics: Set((try row.decode("features", as: String.self)).split(separator: ",").map(String.init)),
                    inUse: Nights(first: try row.decode("first"), end: until ?? CalendarDate(daysSinceEpoch: Int(Int32.max))),
                    busy: busy[id] ?? []))
        }
        // Every premises' counts for the stay and the search ahead, in one query.
        let searched = Nights(first: stay.first, end: stay.end.adding(days: MatchRules.searchAheadDays))
        let capacity = try await Capacity.nights(premisesIDs: nil, nights: searched, needs: needs, excluding: nil, on: connection)
        var premises = [MatchPremises]()
        for row in premisesRows {
            let id: UUID = try row.decode("id")
            let counts = capacity[id] ?? Capacity.empty(searched, needs: needs)
            premises.append(
                MatchPremises(
                    id: id, code: try row.decode("code"), name: try row.decode("name"), regionCode: try row.decode("region_code"),
                    gender: try row.decode("gender"), apType: try row.decode("ap_type_code"), active: try row.decode("active"),
                    features: Set((try row.decode("features", as: String.self)).split(separator: ",").map(String.init)),
                    latitude: try row.decode("latitude"), longitude: try row.decode("longitude"), district: try row.decode("outcode"),
                    beds: beds[id] ?? [],
                    nights: counts))
        }
        return premises
    }

    /// Those of `districts` that are postcode districts.
    static func knownDistricts(_ districts: Set<String>, on connection: PostgresConnection) async throws -> Set<String> {
        guard !districts.isEmpty else { return [] }
        return Set(
            try await connection.query("SELECT outcode FROM postcode_district WHERE outcode = ANY(\(districts.sorted())::text[])").map {
                try $0.decode("outcode", as: String.self)
            })
    }
}
