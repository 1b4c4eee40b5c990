import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func listReference(_ input: Operations.ListReference.Input) async throws -> Operations.ListReference.Output {
        _ = try RequestScope.caller()
        let entries = try await stores.reference.entries(of: input.path.vocabulary)
        return .ok(
            .init(
                body: .json(
                    entries.map {
                        Components.Schemas.ReferenceEntry(
                            code: $0.code, name: $0.name, active: $0.active, parent: $0.parent, detail: $0.detail)
                    })))
    }
}
