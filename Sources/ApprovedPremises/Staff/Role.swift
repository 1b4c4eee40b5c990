/// What a member of staff does, which decides what they may see and change.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Night and day residential staff of one AP.
    case residentialWorker = "residential_worker"
    /// A key worker of one AP.
    case keyWorker = "key_worker"
    /// The manager of one AP.
    case apManager = "ap_manager"
    /// A referral manager of the national Central Referral Unit: every AP.
    case referralManager = "referral_manager"
    /// A regional manager: read-only reports for one region.
    case regionalManager = "regional_manager"
    /// Staff accounts, premises, rooms and beds: every AP.
    case administrator
    /// A probation practitioner (community offender manager): applies for places and follows the
    /// referrals they own, and sees nothing of any AP's own records.
    case probationPractitioner = "probation_practitioner"
    /// The subject access officer: answers a person's request for the data held about them
    /// (the export, across every AP), and sees nothing else.
    case sarOfficer = "sar_officer"

    /// Whether this role belongs to one premises.
    public var isPremisesStaff: Bool {
        self == .residentialWorker || self == .keyWorker || self == .apManager
    }

    /// Whether this role belongs to one region.
    public var isRegional: Bool { self == .regionalManager || self == .probationPractitioner }

    /// The name people use for it.
    public var title: String {
        switch self {
        case .residentialWorker: "residential worker"
        case .keyWorker: "key worker"
        case .apManager: "AP manager"
        case .referralManager: "referral manager"
        case .regionalManager: "regional manager"
        case .administrator: "administrator"
        case .probationPractitioner: "probation practitioner"
        case .sarOfficer: "subject access officer"
        }
    }

    /// The title after "a" or "an", as a sentence begins with it: "an AP manager".
    public var aTitle: String {
        switch self {
        case .apManager, .administrator: "an \(title)"
        default: "a \(title)"
        }
    }
}

extension Role {
    /// Whether every account of this role signs in with a second factor: all but the premises'
    /// residential workers and key workers, for whom their premises decides
    /// (`premises.second_factor_for_all_staff`).
    public var alwaysNeedsSecondFactor: Bool {
        self != .residentialWorker && self != .keyWorker
    }
}
