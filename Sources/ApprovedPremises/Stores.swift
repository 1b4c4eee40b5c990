import Postgres

/// Every store of the service, built once from what they need (the pools and the password
/// hasher) where the router is built, and handed to the handlers. The demo data and the tests
/// build the same set.
public struct Stores: Sendable {
    public let sessions: SessionStore
    /// A web form's answers for two hours (post/redirect/get).
    public let formDrafts: FormDraftStore
    /// Which service this is (for `ap`'s offline work).
    public let identity: ServiceIdentity
    public let staff: StaffStore
    public let premises: PremisesStore
    public let reference: ReferenceStore
    public let audit: AuditStore
    /// Who read a person's records.
    public let accessLog: AccessLogStore
    /// A person's data, as a subject access request asks for it.
    public let subjectAccess: SubjectAccessStore
    public let retention: RetentionStore
    public let idempotency: IdempotencyStore
    public let rooms: RoomStore
    public let outOfService: OutOfServiceStore
    public let bedBoards: BedBoardStore
    public let placements: PlacementStore
    public let transfers: TransferStore
    public let appeals: AppealStore
    public let allocationPlans: AllocationPlanStore
    public let referrals: ReferralStore
    public let referralDrafts: ReferralDraftStore
    public let curfew: CurfewStore
    public let curfewVariations: CurfewVariationStore
    public let curfewBreaches: CurfewBreachStore
    public let handovers: HandoverStore
    public let nightChecks: NightCheckStore
    public let incidents: IncidentStore
    public let logChains: LogChainStore
    public let keyWork: KeyWorkStore
    public let testing: TestingStore
    public let moveOn: MoveOnStore
    public let residentRecords: ResidentRecordStore
    /// On the report database (a read replica) when one is configured.
    public let reports: ReportStore
    /// The outbox of e-mail.
    public let notifications: NotificationStore
    /// Where the outbox writes to: the regions' and premises' mailboxes.
    public let mailboxes: MailboxStore

    /// The stores over a pool; reports over `reportPool` when given; checkpoints kept as
    /// `checkpoints` says; sessions lasting `sessionTimes`; `idempotencyFaults` only in tests of the crash window.
    public init(
        pool: PostgresPool, reportPool: PostgresPool? = nil, hasher: PasswordHasher, idempotencyFaults: IdempotencyStore.Faults = .none,
        checkpoints: CheckpointSettings = .none, sessionTimes: SessionTimes = SessionTimes()
    ) {
        sessions = SessionStore(pool: pool, hasher: hasher, times: sessionTimes)
        formDrafts = FormDraftStore(pool: pool)
        identity = ServiceIdentity(pool: pool)
        staff = StaffStore(pool: pool, hasher: hasher)
        premises = PremisesStore(pool: pool)
        reference = ReferenceStore(pool: pool)
        audit = AuditStore(pool: pool)
        accessLog = AccessLogStore(pool: pool)
        subjectAccess = SubjectAccessStore(pool: pool)
        retention = RetentionStore(pool: pool)
        idempotency = IdempotencyStore(pool: pool, faults: idempotencyFaults)
        rooms = RoomStore(pool: pool)
        outOfService = OutOfServiceStore(pool: pool)
        bedBoards = BedBoardStore(pool: pool)
        placements = PlacementStore(pool: pool)
        transfers = TransferStore(pool: pool)
        appeals = AppealStore(pool: pool)
        allocationPlans = AllocationPlanStore(pool: pool)
        referrals = ReferralStore(pool: pool)
        referralDrafts = ReferralDraftStore(pool: pool)
        curfew = CurfewStore(pool: pool)
        curfewVariations = CurfewVariationStore(pool: pool)
        curfewBreaches = CurfewBreachStore(pool: pool)
        handovers = HandoverStore(pool: pool)
        notifications = NotificationStore(pool: pool)
        mailboxes = MailboxStore(pool: pool)
        nightChecks = NightCheckStore(pool: pool)
        incidents = IncidentStore(pool: pool)
        logChains = LogChainStore(pool: pool, checkpoints: checkpoints)
        keyWork = KeyWorkStore(pool: pool)
        testing = TestingStore(pool: pool)
        moveOn = MoveOnStore(pool: pool)
        residentRecords = ResidentRecordStore(pool: pool)
        reports = ReportStore(pool: reportPool ?? pool)
    }
}
