import ApprovedPremises
import HTTPTypes
import OpenAPIRuntime

/// Who may call each operation of the API, declared in one place.
///
/// Every operation must appear here: one that does not is refused for everybody, so a new
/// endpoint cannot be left open by mistake (and a test checks that the table covers the
/// document). Whether the caller may reach a particular premises is checked by the handler,
/// which knows the premises.
struct AccessPolicy: ServerMiddleware {
    /// Who may call an operation.
    enum Access: Sendable {
        /// No sign-in needed.
        case open
        /// Any signed-in member of staff.
        case anyStaff
        /// Signed-in staff with one of these roles.
        case roles(Set<Role>)
    }

    static let premisesStaff: Set<Role> = [.residentialWorker, .keyWorker, .apManager]
    /// Who records key work, tests and move-on: key workers and managers.
    static let keyWorkers: Set<Role> = [.administrator, .apManager, .keyWorker]

    /// The table: operation ID → access.
    static let rules: [String: Access] = [
        "getHealth": .open,
        "getReady": .open,
        "signIn": .open,
        "signOut": .anyStaff,
        "getMe": .anyStaff,
        "listStaff": .roles([.administrator, .apManager]),
        "createStaff": .roles([.administrator]),
        "getStaff": .anyStaff,
        "updateStaff": .roles([.administrator]),
        "resetStaffPassword": .roles([.administrator]),
        "listPremises": .anyStaff,
        "createPremises": .roles([.administrator]),
        "getPremises": .anyStaff,
        "updatePremises": .roles([.administrator, .apManager]),
        "listPremisesStaff": .roles(premisesStaff.union([.administrator])),
        "listAudit": .roles([.administrator]),
        "listReference": .anyStaff,
        "listRooms": .anyStaff,
        "createRoom": .roles([.administrator, .apManager]),
        "importRooms": .roles([.administrator, .apManager]),
        "createBed": .roles([.administrator, .apManager]),
        "createOutOfService": .roles([.administrator, .apManager]),
        "endOutOfService": .roles([.administrator, .apManager]),
        "cancelOutOfService": .roles([.administrator, .apManager]),
        "listPlacements": .anyStaff,
        "bookPlacement": .roles([.administrator, .apManager, .referralManager]),
        "getPlacement": .anyStaff,
        "allocateBed": .roles([.administrator, .apManager]),
        "recordArrival": .roles(premisesStaff.union([.administrator])),
        "recordNonArrival": .roles(premisesStaff.union([.administrator])),
        "recordDeparture": .roles(premisesStaff.union([.administrator])),
        "cancelPlacement": .roles([.administrator, .apManager, .referralManager]),
        "changePlacementDates": .roles([.administrator, .apManager, .referralManager]),
        "getBedBoard": .anyStaff,
        "suggestAllocations": .roles([.administrator, .apManager]),
        "listReferrals": .roles([.administrator, .referralManager, .apManager]),
        "createReferral": .roles([.administrator, .referralManager]),
        "getReferral": .roles([.administrator, .referralManager, .apManager]),
        "decideReferral": .roles([.administrator, .referralManager, .apManager]),
        "matchReferral": .roles([.administrator, .referralManager, .apManager]),
        "bookReferral": .roles([.administrator, .referralManager, .apManager]),
        "getPlacementProfile": .anyStaff,
        "getTonight": .anyStaff,
        "listCurfewBreaches": .anyStaff,
        "writeHandover": .roles(premisesStaff.union([.administrator])),
        "getLatestHandover": .anyStaff,
        "listPendingHandovers": .anyStaff,
        "acknowledgeHandover": .roles(premisesStaff.union([.administrator])),
        "addCurfewVariation": .roles([.administrator, .apManager]),
        "verifyLogs": .roles([.administrator, .apManager, .regionalManager]),
        "listCurfewVariations": .anyStaff,
        "listResidentCurfewBreaches": .anyStaff,
        "escalateCurfewBreach": .roles(premisesStaff.union([.administrator])),
        "recordCurfewBreachOutcome": .roles([.administrator, .apManager]),
        "getNightChecks": .anyStaff,
        "recordNightCheck": .roles(premisesStaff.union([.administrator])),
        "listIncidents": .anyStaff,
        "recordIncident": .roles(premisesStaff.union([.administrator])),
        "getIncident": .anyStaff,
        "amendIncident": .roles(premisesStaff.union([.administrator])),
        "assignKeyWorker": .roles([.administrator, .apManager]),
        "listKeyWorkSessions": .anyStaff,
        "recordKeyWorkSession": .roles(keyWorkers),
        "completeKeyWorkAction": .roles(keyWorkers),
        "getKeyWorkDue": .anyStaff,
        "listTestingAuthorisations": .anyStaff,
        "authoriseTesting": .roles([.administrator, .apManager]),
        "listPremisesTests": .anyStaff,
        "listResidentTests": .anyStaff,
        "recordTest": .roles(keyWorkers),
        "recordCustodyStep": .roles(keyWorkers),
        "recordTestResults": .roles(keyWorkers),
        "recordTestFollowUp": .roles(keyWorkers),
        "getMoveOnPlan": .anyStaff,
        "addMoveOnPathway": .roles(keyWorkers),
        "updateMoveOnPathway": .roles(keyWorkers),
        "setMoveOnAddress": .roles(keyWorkers),
        "listMoveOnFlags": .anyStaff,
        "getResidentRecord": .anyStaff,
        "getDepartureSummary": .anyStaff,
        "getDepartureSummaryText": .anyStaff,
        "getOccupancyReport": .anyStaff,
        "getMoveOnReport": .anyStaff,
        "getOperationsReport": .anyStaff,
        "listMovements": .anyStaff,
        "recordMovement": .roles(premisesStaff.union([.administrator])),
        "correctMovement": .roles(premisesStaff.union([.administrator])),
        "applyAllocationPlan": .roles([.administrator, .apManager]),
    ]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let access = Self.rules[operationID] else {
            throw DomainError(.forbidden, "this operation has no access rule yet, so nobody may call it")
        }
        switch access {
        case .open:
            break
        case .anyStaff:
            _ = try RequestScope.caller()
        case .roles(let roles):
            let caller = try RequestScope.caller()
            guard roles.contains(caller.role) else {
                let allowed = Role.allCases.filter(roles.contains).map(\.title).joined(separator: ", ")
                throw DomainError(.forbidden, "a \(caller.role.title) may not do this; it needs one of: \(allowed)")
            }
        }
        return try await next(request, body, metadata)
    }
}
