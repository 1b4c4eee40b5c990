import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        let caller = try RequestScope.caller()
        try caller.require(AuditStore.readers, to: "read the audit log")
        let page = try await stores.audit.list(
            entity: input.query.entity, entityID: input.query.entityId,
            page: try Input.page(limit: input.query.limit, cursor: input.query.cursor))
        let items = page.items.map { event in
            Components.Schemas.AuditEvent(
                id: event.id, occurredAt: event.occurredAt, staffId: event.staffID?.uuidString.lowercased(),
                username: event.username, action: event.action, entity: event.entity, entityId: event.entityID,
                before: event.before, after: event.after, requestId: event.requestID)
        }
        return .ok(.init(body: .json(.init(items: items, nextCursor: page.nextCursor))))
    }

    func listAccessEvents(_ input: Operations.ListAccessEvents.Input) async throws -> Operations.ListAccessEvents.Output {
        let page = try await stores.accessLog.list(
            crn: input.query.crn, page: try Input.page(limit: input.query.limit, cursor: input.query.cursor), by: try RequestScope.caller())
        let items = page.items.map { event in
            Components.Schemas.AccessEvent(
                id: event.id, occurredAt: event.occurredAt, staffId: event.staffID.uuidString.lowercased(), username: event.username,
                displayName: event.displayName, role: .init(event.role), what: .init(rawValue: event.what.rawValue) ?? .residentRecord,
                crn: event.crn, placementId: event.placementID?.uuidString.lowercased(),
                referralId: event.referralID?.uuidString.lowercased(), requestId: event.requestID)
        }
        return .ok(.init(body: .json(.init(items: items, nextCursor: page.nextCursor))))
    }
}
