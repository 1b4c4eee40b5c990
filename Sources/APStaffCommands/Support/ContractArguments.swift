import APClient
import ArgumentParser

// The API's own vocabularies as option values: `--help` lists every allowed value, and the
// parser refuses any other with that list, before a call is made.

extension Components.Schemas.Role: ExpressibleByArgument {}
extension Components.Schemas.Referral.StatusPayload: ExpressibleByArgument {}
extension Operations.DecideReferral.Input.Body.JsonPayload.DecisionPayload: ExpressibleByArgument {}
extension Components.Parameters.ReportPeriod: ExpressibleByArgument {}
extension Components.Schemas.KeyWorkSession.KindPayload: ExpressibleByArgument {}
extension Components.Schemas.SubstanceTest.ReasonPayload: ExpressibleByArgument {}
extension Components.Schemas.SubstanceTest.SampleTypePayload: ExpressibleByArgument {}
extension Components.Schemas.SubstanceTest.MissedReasonPayload: ExpressibleByArgument {}
extension Components.Schemas.SubstanceTest.CustodyPayloadPayload.StepPayload: ExpressibleByArgument {}
extension Components.Schemas.SubstanceTest.FollowUpsPayloadPayload.ActionPayload: ExpressibleByArgument {}
extension Components.Schemas.CurfewBreach.OutcomePayload: ExpressibleByArgument {}
extension Components.Schemas.Incident.KindPayload: ExpressibleByArgument {}
extension Components.Schemas.Incident.SeverityPayload: ExpressibleByArgument {}

/// The shift a handover ends (the API takes it as text).
enum Shift: String, CaseIterable, ExpressibleByArgument {
    case day, late, night
}

/// A word as the value of a request's field (the document lists each field's values where it is
/// used, so the same word has a type per field). A word the field does not take is refused here,
/// before anything is sent.
func requestValue<Value: RawRepresentable & CaseIterable>(_ word: String, _ field: String) throws -> Value where Value.RawValue == String {
    guard let value = Value(rawValue: word) else {
        throw CLIError(
            "\(field) must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")), not \(Excerpt.quoted(word)); nothing was recorded"
        )
    }
    return value
}
