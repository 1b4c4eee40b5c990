import Postgres

/// One entry of a national vocabulary.
public struct ReferenceEntry: Sendable, Equatable {
    /// The NDelius (or national service) code.
    public var code: String
    public var name: String
    public var active: Bool?
    /// The group it belongs to (departure reasons' breach/recall sub-reasons).
    public var parent: String?
    /// The vocabulary's extra column: accommodation outcome, reference kind, default stay weeks.
    public var detail: String?
}

/// The national vocabularies seeded from shared/reference by migration 0002.
public struct ReferenceStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The vocabularies by their API name, with the SQL that lists each.
    static let vocabularies: [String: SQL] = [
        "regions": "SELECT code, name, NULL::boolean AS active, NULL AS parent, NULL AS detail FROM probation_region",
        "ap-types": "SELECT code, name, NULL::boolean AS active, NULL AS parent, default_stay_weeks::text AS detail FROM ap_type",
        "premises-characteristics":
            "SELECT code, name, NULL::boolean AS active, NULL AS parent, NULL AS detail FROM premises_characteristic",
        "room-characteristics":
            "SELECT code, name, NULL::boolean AS active, NULL AS parent, CASE WHEN matched_on_bookings THEN 'matchedOnBookings' END AS detail FROM room_characteristic",
        "departure-reasons": "SELECT code, name, active, parent_code AS parent, NULL AS detail FROM departure_reason",
        "move-on-categories": "SELECT code, name, active, NULL AS parent, accommodation_outcome AS detail FROM move_on_category",
        "non-arrival-reasons": "SELECT code, name, active, NULL AS parent, NULL AS detail FROM non_arrival_reason",
        "cancellation-reasons": "SELECT code, name, active, NULL AS parent, NULL AS detail FROM cancellation_reason",
        "out-of-service-reasons": "SELECT code, name, active, NULL AS parent, reference_kind AS detail FROM out_of_service_reason",
        "release-types": "SELECT code, name, NULL::boolean AS active, NULL AS parent, NULL AS detail FROM release_type",
        "withdrawal-reasons": "SELECT code, name, active, NULL AS parent, NULL AS detail FROM withdrawal_reason",
        "transfer-reasons": "SELECT code, name, active, NULL AS parent, NULL AS detail FROM transfer_reason",
        "appeal-reasons": "SELECT code, name, active, NULL AS parent, NULL AS detail FROM appeal_reason",
    ]

    /// Every entry of a vocabulary, by code; `notFound` for an unknown vocabulary.
    public func entries(of vocabulary: String) async throws -> [ReferenceEntry] {
        guard let select = Self.vocabularies[vocabulary] else {
            throw DomainError(
                .notFound, "there is no vocabulary \(vocabulary); there are: \(Self.vocabularies.keys.sorted().joined(separator: ", "))")
        }
        return try await pool.query("\(select) ORDER BY code").map { row in
            ReferenceEntry(
                code: try row.decode("code"), name: try row.decode("name"), active: try row.decode("active"),
                parent: try row.decode("parent"), detail: try row.decode("detail"))
        }
    }
}
