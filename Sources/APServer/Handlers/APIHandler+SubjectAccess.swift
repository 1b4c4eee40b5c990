import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    typealias SubjectAccess = Operations.GetSubjectAccessRequest

    func getSubjectAccessRequest(_ input: Operations.GetSubjectAccessRequest.Input) async throws -> SubjectAccess.Output {
        let answer = try await stores.subjectAccess.export(
            crn: input.query.crn, prn: input.query.prn, from: try Input.optionalDate(input.query.fromDate, field: "fromDate"),
            to: try Input.optionalDate(input.query.toDate, field: "toDate"), by: try RequestScope.caller())
        switch answer {
        case .nothingHeld: return .noContent(.init())
        case .identifierNotHeld: return .code209(.init())
        case .content(let export):
            // The export's records are the database's own JSON: carried into the contract's type as it.
            let content = try JSONDecoder().decode(Components.Schemas.SubjectAccessContent.self, from: JSONEncoder().encode(export))
            return .ok(.init(body: .json(.init(content: content))))
        }
    }
}
