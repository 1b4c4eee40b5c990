import Foundation

/// The AP manager's authorisation for testing at a premises: which reasons, over which days.
public struct TestingAuthorisation: Sendable, Equatable, Codable {
    public var id: UUID
    public var premisesID: UUID
    public var reasons: [String]
    public var from: CalendarDate
    /// The day after the last day it covers; nil while open-ended.
    public var until: CalendarDate?
    public var note: String
    public var authorisedBy: String
}

/// A drug or alcohol test: taken (with its chain of custody and results) or missed (with why).
public struct SubstanceTest: Sendable, Equatable, Codable {
    /// Why a test was required.
    public enum Reason: String, Sendable, Codable, CaseIterable {
        case onArrival = "on_arrival"
        case random
        case onSuspicion = "on_suspicion"
        case routine
    }

    /// The kind of sample.
    public enum SampleType: String, Sendable, Codable, CaseIterable {
        case urineLab = "urine_lab"
        case urineInstant = "urine_instant"
        case oralFluid = "oral_fluid"
        case breath
    }

    /// Why a required test was not taken.
    public enum MissedReason: String, Sendable, Codable, CaseIterable {
        case noKit = "no_kit"
        case residentAbsent = "resident_absent"
        case other
    }

    /// A step of a laboratory sample's chain of custody, in order.
    public enum Step: String, Sendable, Codable, CaseIterable {
        case collected, sealed
        case sentToLab = "sent_to_lab"
        case receivedByLab = "received_by_lab"
        case resultReceived = "result_received"
    }

    /// What a test looks for.
    public enum Substance: String, Sendable, Codable, CaseIterable {
        case opiates, cocaine, amphetamines, cannabis, benzodiazepines, buprenorphine, methadone
        case syntheticCannabinoids = "synthetic_cannabinoids"
        case other, alcohol
        case wholeSample = "whole_sample"
    }

    /// What a test found for one substance.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case negative, positive
        case positivePrescribed = "positive_prescribed"
        case dilute, tampered, refused
        case unableToProvide = "unable_to_provide"

        /// Results that call for a follow-up.
        public var needsFollowUp: Bool { [.positive, .dilute, .tampered, .refused, .unableToProvide].contains(self) }
    }

    /// What was done about a positive or refused result.
    public enum FollowUp: String, Sendable, Codable, CaseIterable {
        case referralToSubstanceServices = "referral_to_substance_services"
        case warning
        case reportedToPP = "reported_to_pp"
    }

    /// One step of the chain of custody: when, and who handled the sample.
    public struct CustodyStep: Sendable, Equatable, Codable {
        public var step: Step
        public var at: Date
        public var person: String
    }

    /// One substance's result.
    public struct Result: Sendable, Equatable, Codable {
        public var substance: Substance
        public var result: Outcome
        /// Breath alcohol, micrograms per 100 ml.
        public var reading: Double?
        public var recordedAt: Date
        /// When corrected: the result as first recorded, and why and when (`result` is the latest).
        public var correctedFrom: Outcome? = nil, correctionReason: String? = nil, correctedAt: Date? = nil
    }

    /// A follow-up done, by whom and when.
    public struct FollowUpTaken: Sendable, Equatable, Codable {
        public var action: FollowUp
        public var note: String?
        public var by: String
        public var at: Date
    }

    public var id: UUID
    public var placementID: UUID
    public var personName: String
    public var reason: Reason
    public var sampleType: SampleType
    public var requiredAt: Date
    public var takenAt: Date?
    public var takenBy: String?
    public var sampleNumber: String?
    public var missedReason: MissedReason?
    public var missedNote: String?
    public var custody: [CustodyStep]
    public var results: [Result]
    public var followUps: [FollowUpTaken]

    /// Taken, but its results are still awaited.
    public var awaitingResults: Bool { takenAt != nil && results.isEmpty }
    /// A result calls for a follow-up and none is recorded.
    public var needsFollowUp: Bool { results.contains { $0.result.needsFollowUp } && followUps.isEmpty }
}
