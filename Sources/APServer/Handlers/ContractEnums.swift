import APIContract
import ApprovedPremises

// The domain's enums and the contract's, mapped case by case. Exhaustive switches: if either side
// gains a case the other lacks, this file stops compiling, instead of a `rawValue` conversion
// crashing the service at run time.

/// The contract's value for a domain value kept as text (a kind written by SQL, a period), where
/// no exhaustive switch can be had. `ContractEnumTests` keeps the two sets equal; a value the
/// contract lacks is a named error (logged, a 500 quoting the request), never a crash.
func contractValue<Value: RawRepresentable>(_ raw: String, field: String) throws -> Value where Value.RawValue == String {
    guard let value = Value(rawValue: raw) else { throw ContractDrift(field: field, value: raw, type: "\(Value.self)") }
    return value
}

/// A value the service holds that the API document does not list for its field.
struct ContractDrift: Error, CustomStringConvertible {
    var field: String
    var value: String
    var type: String
    var description: String { "\(field) '\(value)' is not a value of \(type) in the API document" }
}

extension Components.Schemas.Referral.StatusPayload {
    /// The contract's value for `Referral.Status`.
    init(_ value: ApprovedPremises.Referral.Status) {
        switch value {
        case .submitted: self = .submitted
        case .awaitingInformation: self = .awaitingInformation
        case .readyToMatch: self = .readyToMatch
        case .unableToMatch: self = .unableToMatch
        case .rejected: self = .rejected
        case .booked: self = .booked
        case .withdrawn: self = .withdrawn
        }
    }
}

extension Components.Schemas.Placement.StatusPayload {
    /// The contract's value for `Placement.Status`.
    init(_ value: ApprovedPremises.Placement.Status) {
        switch value {
        case .upcoming: self = .upcoming
        case .arrived: self = .arrived
        case .departed: self = .departed
        case .nonArrived: self = .nonArrived
        case .cancelled: self = .cancelled
        }
    }
}

extension Components.Schemas.BedBoardCell.StatePayload {
    /// The contract's value for `BedBoard.State`.
    init(_ value: ApprovedPremises.BedBoard.State) {
        switch value {
        case .free: self = .free
        case .allocated: self = .allocated
        case .outOfService: self = .outOfService
        case .notInUse: self = .notInUse
        }
    }
}

extension Components.Schemas.ResidentState.StatePayload {
    /// The contract's value for `ResidentState.State`.
    init(_ value: ApprovedPremises.ResidentState.State) {
        switch value {
        case .late: self = .late
        case .dueBackSoon: self = .dueBackSoon
        case .out: self = .out
        case .awayWithPermission: self = .awayWithPermission
        case .`in`: self = ._in
        }
    }
}

extension Components.Schemas.CurfewBreach.StatePayload {
    /// The contract's value for `CurfewBreach.State`.
    init(_ value: ApprovedPremises.CurfewBreach.State) {
        switch value {
        case .open: self = .open
        case .escalated: self = .escalated
        case .closed: self = .closed
        case .void: self = .void
        }
    }
}

extension Components.Schemas.NightCheckRound.StatusPayload {
    /// The contract's value for `NightCheckRound.Status`.
    init(_ value: ApprovedPremises.NightCheckRound.Status) {
        switch value {
        case .recorded: self = .recorded
        case .missed: self = .missed
        case .due: self = .due
        case .upcoming: self = .upcoming
        }
    }
}

extension Components.Schemas.NightCheckRound.ObservationsPayloadPayload.ObservationPayload {
    /// The contract's value for `NightCheckObservation.Kind`.
    init(_ value: ApprovedPremises.NightCheckObservation.Kind) {
        switch value {
        case .seen: self = .seen
        case .notSeen: self = .notSeen
        case .notInRoom: self = .notInRoom
        case .refused: self = .refused
        }
    }
}

extension Components.Schemas.Incident.KindPayload {
    /// The contract's value for `Incident.Kind`.
    init(_ value: ApprovedPremises.Incident.Kind) {
        switch value {
        case .violenceOrThreats: self = .violenceOrThreats
        case .selfHarm: self = .selfHarm
        case .substanceFound: self = .substanceFound
        case .damage: self = .damage
        case .policeAttendance: self = .policeAttendance
        case .absconding: self = .absconding
        case .missedCurfew: self = .missedCurfew
        case .medicalEmergency: self = .medicalEmergency
        case .safeguarding: self = .safeguarding
        case .complaint: self = .complaint
        case .other: self = .other
        }
    }
}

extension Components.Schemas.Incident.SeverityPayload {
    /// The contract's value for `Incident.Severity`.
    init(_ value: ApprovedPremises.Incident.Severity) {
        switch value {
        case .low: self = .low
        case .medium: self = .medium
        case .high: self = .high
        case .critical: self = .critical
        }
    }
}

extension Components.Schemas.KeyWorkSession.KindPayload {
    /// The contract's value for `KeyWorkSession.Kind`.
    init(_ value: ApprovedPremises.KeyWorkSession.Kind) {
        switch value {
        case .induction: self = .induction
        case .oneToOne: self = .oneToOne
        case .relapsePrevention: self = .relapsePrevention
        case .moveOnPlanning: self = .moveOnPlanning
        case .other: self = .other
        }
    }
}

extension Components.Schemas.SubstanceTest.ReasonPayload {
    /// The contract's value for `SubstanceTest.Reason`.
    init(_ value: ApprovedPremises.SubstanceTest.Reason) {
        switch value {
        case .onArrival: self = .onArrival
        case .random: self = .random
        case .onSuspicion: self = .onSuspicion
        case .routine: self = .routine
        }
    }
}

extension Components.Schemas.SubstanceTest.SampleTypePayload {
    /// The contract's value for `SubstanceTest.SampleType`.
    init(_ value: ApprovedPremises.SubstanceTest.SampleType) {
        switch value {
        case .urineLab: self = .urineLab
        case .urineInstant: self = .urineInstant
        case .oralFluid: self = .oralFluid
        case .breath: self = .breath
        }
    }
}

extension Components.Schemas.SubstanceTest.CustodyPayloadPayload.StepPayload {
    /// The contract's value for `SubstanceTest.Step`.
    init(_ value: ApprovedPremises.SubstanceTest.Step) {
        switch value {
        case .collected: self = .collected
        case .sealed: self = .sealed
        case .sentToLab: self = .sentToLab
        case .receivedByLab: self = .receivedByLab
        case .resultReceived: self = .resultReceived
        }
    }
}

extension Components.Schemas.SubstanceTest.ResultsPayloadPayload.ResultPayload {
    /// The contract's value for `SubstanceTest.Outcome`.
    init(_ value: ApprovedPremises.SubstanceTest.Outcome) {
        switch value {
        case .negative: self = .negative
        case .positive: self = .positive
        case .positivePrescribed: self = .positivePrescribed
        case .dilute: self = .dilute
        case .tampered: self = .tampered
        case .refused: self = .refused
        case .unableToProvide: self = .unableToProvide
        }
    }
}

extension Components.Schemas.SubstanceTest.FollowUpsPayloadPayload.ActionPayload {
    /// The contract's value for `SubstanceTest.FollowUp`.
    init(_ value: ApprovedPremises.SubstanceTest.FollowUp) {
        switch value {
        case .referralToSubstanceServices: self = .referralToSubstanceServices
        case .warning: self = .warning
        case .reportedToPP: self = .reportedToPp
        }
    }
}

extension Components.Schemas.Role {
    /// The contract's value for `Role`.
    init(_ value: ApprovedPremises.Role) {
        switch value {
        case .residentialWorker: self = .residentialWorker
        case .keyWorker: self = .keyWorker
        case .apManager: self = .apManager
        case .referralManager: self = .referralManager
        case .regionalManager: self = .regionalManager
        case .administrator: self = .administrator
        case .probationPractitioner: self = .probationPractitioner
        case .sarOfficer: self = .sarOfficer
        }
    }

    /// The domain's role for this value.
    var domain: ApprovedPremises.Role {
        switch self {
        case .residentialWorker: .residentialWorker
        case .keyWorker: .keyWorker
        case .apManager: .apManager
        case .referralManager: .referralManager
        case .regionalManager: .regionalManager
        case .administrator: .administrator
        case .probationPractitioner: .probationPractitioner
        case .sarOfficer: .sarOfficer
        }
    }
}
