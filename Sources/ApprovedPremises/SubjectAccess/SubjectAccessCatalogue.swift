/// One kind of record in a subject access export: the table it comes from, which of its rows
/// are about the person, and when each was (for the request's date range).
///
/// Conditions are SQL over `x`, the table's row, and three relations the export defines first:
/// `subject` (the CRN asked for), `r` (the person's referrals) and `p` (their stays, every
/// placement with their CRN or booked from one of their referrals).
public struct SubjectAccessSection: Sendable, Equatable {
    /// The section's key in the export.
    public let name: String
    /// What it holds, as a heading of the printable report.
    public let title: String
    /// The table its records come from.
    public let table: String
    /// Which rows are about the person.
    let condition: String
    /// When a record began and ended (`timestamptz` expressions; the same for an event).
    let from: String
    let until: String

    init(_ name: String, _ title: String, _ table: String, where condition: String, at from: String, until: String? = nil) {
        self.name = name
        self.title = title
        self.table = table
        self.condition = condition
        self.from = from
        self.until = until ?? from
    }
}

/// Every table that can hold data about a person is either a section of the export or named
/// in ``SubjectAccessCatalogue/leftOut`` with the reason; a test reads the database's catalogue
/// and fails when a new one is neither.
public enum SubjectAccessCatalogue {
    /// The sections of an export, in the order of a stay's story.
    public static let sections: [SubjectAccessSection] = [
        .init(
            "referrals", "Referrals", "referral", where: "x.id IN (SELECT id FROM r)", at: "x.created_at", until: "x.updated_at"),
        .init(
            "referralDrafts", "Referrals being written by the probation practitioner", "referral_draft",
            where: "x.referral_id IN (SELECT id FROM r) OR upper(btrim(x.answers->>'crn')) = (SELECT crn FROM subject)",
            at: "x.created_at", until: "x.updated_at"),
        .init("referralTimeline", "Referral timelines", "referral_event", where: "x.referral_id IN (SELECT id FROM r)", at: "x.created_at"),
        .init(
            "referralOffers", "Referrals offered to APs", "referral_offer", where: "x.referral_id IN (SELECT id FROM r)", at: "x.created_at"
        ),
        .init(
            "placements", "Placements: bookings, arrivals, non-arrivals, departures and cancellations", "placement",
            where: "x.id IN (SELECT id FROM p)", at: "least(x.created_at, x.arrived_at)",
            until: "coalesce(x.departed_at, x.cancelled_at, x.non_arrived_at, 'infinity')"),
        .init(
            "placementDateChanges", "Changes of a placement's dates", "placement_date_change",
            where: "x.placement_id IN (SELECT id FROM p)", at: "x.created_at"),
        .init(
            "bedAllocations", "Beds", "bed_allocation", where: "x.placement_id IN (SELECT id FROM p)", at: "x.created_at",
            until: "coalesce(x.released_at, 'infinity')"),
        .init("keyWorkers", "Key workers", "key_worker_assignment", where: "x.placement_id IN (SELECT id FROM p)", at: "x.assigned_at"),
        .init(
            "curfewVariations", "Curfew variations", "curfew_variation", where: "x.placement_id IN (SELECT id FROM p)", at: "x.created_at"),
        .init(
            "curfewLog", "The curfew log: sign-outs, sign-ins and their corrections", "movement",
            where: "x.placement_id IN (SELECT id FROM p)", at: "x.occurred_at"),
        .init(
            "curfewBreaches", "Curfew breaches, their escalation and outcome", "curfew_breach",
            where: "x.placement_id IN (SELECT id FROM p)", at: "x.window_start"),
        .init("nightChecks", "Night-check observations", "night_check", where: "x.placement_id IN (SELECT id FROM p)", at: "x.observed_at"),
        .init(
            "incidents", "Incidents that name the person (other residents named as \"another resident\")", "incident",
            where: "x.residents && ARRAY(SELECT id FROM p)", at: "x.occurred_at"),
        .init(
            "handoverNotes", "Handovers between shifts that name the person", "handover_watch",
            where: "x.placement_id IN (SELECT id FROM p)", at: "x.created_at"),
        .init("keyWorkSessions", "Key-work sessions", "key_work_session", where: "x.placement_id IN (SELECT id FROM p)", at: "x.held_at"),
        .init(
            "keyWorkCorrections", "Corrections of key-work sessions: each as it now reads, with the reason",
            "key_work_session_correction",
            where: "x.session_id IN (SELECT s.id FROM key_work_session s WHERE s.placement_id IN (SELECT id FROM p))", at: "x.held_at"),
        .init(
            "keyWorkActions", "Actions agreed in key work", "key_work_action", where: "x.placement_id IN (SELECT id FROM p)",
            at: "(SELECT s.held_at FROM key_work_session s WHERE s.id = x.session_id)", until: "coalesce(x.done_at, 'infinity')"),
        .init("tests", "Drug and alcohol tests", "substance_test", where: "x.placement_id IN (SELECT id FROM p)", at: "x.required_at"),
        .init(
            "testCustody", "Tests' chain of custody", "substance_test_custody",
            where: "x.test_id IN (SELECT t.id FROM substance_test t WHERE t.placement_id IN (SELECT id FROM p))", at: "x.occurred_at"),
        .init(
            "testResults", "Tests' results", "substance_test_result",
            where: "x.test_id IN (SELECT t.id FROM substance_test t WHERE t.placement_id IN (SELECT id FROM p))", at: "x.recorded_at"),
        .init(
            "testResultCorrections", "Corrections of tests' results: each as it now reads, with the reason",
            "substance_test_result_correction",
            where: "x.test_id IN (SELECT t.id FROM substance_test t WHERE t.placement_id IN (SELECT id FROM p))", at: "x.recorded_at"),
        .init(
            "testFollowUps", "What followed a test", "substance_test_follow_up",
            where: "x.test_id IN (SELECT t.id FROM substance_test t WHERE t.placement_id IN (SELECT id FROM p))", at: "x.recorded_at"),
        .init(
            "moveOnPlans", "Move-on plans", "move_on_plan", where: "x.placement_id IN (SELECT id FROM p)", at: "x.opened_at",
            until: "coalesce(x.closed_at, 'infinity')"),
        .init(
            "moveOnPathways", "Move-on pathways", "move_on_pathway", where: "x.placement_id IN (SELECT id FROM p)", at: "x.created_at",
            until: "'infinity'"),
        .init(
            "moveOnUpdates", "Move-on pathways' progress", "move_on_pathway_update",
            where: "x.pathway_id IN (SELECT w.id FROM move_on_pathway w WHERE w.placement_id IN (SELECT id FROM p))", at: "x.recorded_at"),
        .init(
            "transfers", "Transfers between APs", "transfer",
            where: "x.placement_id IN (SELECT id FROM p) OR x.to_placement_id IN (SELECT id FROM p)", at: "x.requested_at",
            until: "coalesce(x.decided_at, 'infinity')"),
        .init(
            "appeals", "Appeals against a booking", "placement_appeal", where: "x.placement_id IN (SELECT id FROM p)", at: "x.appealed_at",
            until: "coalesce(x.decided_at, 'infinity')"),
        .init(
            "notifications", "E-mail sent about the person", "notification",
            where: "x.placement_id IN (SELECT id FROM p) OR x.referral_id IN (SELECT id FROM r)", at: "x.created_at"),
        .init(
            "accessLog", "Who read the person's records", "access_event", where: "x.crn = (SELECT crn FROM subject)", at: "x.occurred_at"),
    ]

    /// The audit log's section: every change made to a record of the other sections (its
    /// `entity` is the record's table, its `entity_id` the record's id).
    public static let audit = SubjectAccessSection(
        "changes", "Who changed the person's records, and how (the audit log)", "audit_event", where: "", at: "x.occurred_at")

    /// Tables that can hold data about a person but are deliberately not exported, with why.
    public static let leftOut: [String: String] = [
        "form_draft":
            "a web form's answers kept for two hours so that a form sent after its sign-in ended is not lost; what it becomes is exported",
        "idempotency_record":
            "the first answer to a request, kept for a day to replay to a retry: a copy of records exported from their own tables",
    ]
}
