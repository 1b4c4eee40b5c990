import ApprovedPremises
import HTTPTypes
import OpenAPIRuntime

/// Who may call each operation of the API, declared in one place.
///
/// Every operation must appear here: one that does not is refused for everybody, so a new
/// endpoint cannot be left open by mistake (and a test checks that the table covers the
/// document). Whether the caller may reach a particular premises is checked by the handler,
/// which knows the premises.
///
/// Probation practitioners work outside the APs: they may make only the calls that name them
/// (`.everyone`, or a role set holding theirs), and any other is answered 404 as if there were
/// nothing there, never a 403 that would say what they asked for exists.
struct AccessPolicy: ServerMiddleware {
    /// Who may call an operation.
    enum Access: Sendable {
        /// No sign-in needed.
        case open
        /// Any signed-in account, probation practitioners among them.
        case everyone
        /// Any signed-in member of the APs' or the national and regional teams' staff (not
        /// probation practitioners: the records of APs are not theirs to see; nor subject access
        /// officers, who read a person's data only through the export, which is logged).
        case anyStaff
        /// Signed-in staff with one of these roles.
        case roles(Set<Role>)
    }

    /// The table: operation ID → access. Who may do what is stated once, by the capability
    /// that does it (the store's role sets, which the store also checks); this table names the
    /// set for each operation, and says which reads any signed-in member of staff may make.
    static let rules: [String: Access] = [
        "getHealth": .open,
        "getReady": .open,
        "signIn": .open,
        "signOut": .everyone,
        "getMe": .everyone,
        "enrolSecondFactor": .open,
        "listMySessions": .everyone,
        "endMyOtherSessions": .everyone,
        "endSession": .everyone,
        "changePassword": .everyone,
        "listStaffSessions": .roles(StaffStore.administrators),
        "endStaffSessions": .roles(StaffStore.administrators),
        "resetSecondFactor": .roles(StaffStore.administrators),
        "setPremisesSecondFactor": .roles(PremisesStore.keepers),
        "listStaff": .roles(StaffStore.listers),
        "createStaff": .roles(StaffStore.administrators),
        "getStaff": .anyStaff,
        "updateStaff": .roles(StaffStore.administrators),
        "resetStaffPassword": .roles(StaffStore.administrators),
        "listPremises": .anyStaff,
        "createPremises": .roles(PremisesStore.openers),
        "getPremises": .anyStaff,
        "updatePremises": .roles(PremisesStore.keepers),
        "listPremisesStaff": .roles(StaffStore.colleagues),
        "listAudit": .roles(AuditStore.readers),
        "listAccessEvents": .roles(AccessLogStore.readers),
        "getSubjectAccessRequest": .roles(SubjectAccessStore.officers),
        "listNotifications": .roles(NotificationStore.administrators),
        "resendNotification": .roles(NotificationStore.administrators),
        "listMailboxes": .roles(NotificationStore.administrators),
        "setMailbox": .roles(NotificationStore.administrators),
        "listReference": .everyone,
        "listRooms": .anyStaff,
        "createRoom": .roles(RoomStore.keepers),
        "importRooms": .roles(RoomStore.keepers),
        "createBed": .roles(RoomStore.keepers),
        "createOutOfService": .roles(RoomStore.keepers),
        "retireBed": .roles(RoomStore.keepers),
        "endOutOfService": .roles(RoomStore.keepers),
        "cancelOutOfService": .roles(RoomStore.keepers),
        "getBedBoard": .anyStaff,
        "suggestAllocations": .roles(PlacementStore.allocators),
        "applyAllocationPlan": .roles(PlacementStore.allocators),
        "listPlacements": .anyStaff,
        "bookPlacement": .roles(PlacementStore.bookers),
        "getPlacement": .anyStaff,
        "allocateBed": .roles(PlacementStore.allocators),
        "recordArrival": .roles(PlacementStore.recorders),
        "recordNonArrival": .roles(PlacementStore.recorders),
        "recordDeparture": .roles(PlacementStore.recorders),
        "cancelPlacement": .roles(PlacementStore.bookers),
        "changePlacementDates": .roles(PlacementStore.bookers),
        "getPlacementProfile": .anyStaff,
        "listReferrals": .roles(ReferralStore.readers),
        "createReferral": .roles(ReferralStore.intake),
        "getReferral": .roles(ReferralStore.readers),
        "decideReferral": .roles(ReferralStore.readers),
        "getReferralProgress": .roles(ReferralStore.followers),
        "getReferralDepartureSummary": .roles(ReferralStore.followers),
        "handOverReferral": .roles(ReferralStore.handlers),
        "listReferralDrafts": .roles(ReferralDraftStore.writers),
        "startReferralDraft": .roles(ReferralDraftStore.writers),
        "getReferralDraft": .roles(ReferralDraftStore.writers),
        "saveReferralDraftSection": .roles(ReferralDraftStore.writers),
        "submitReferralDraft": .roles(ReferralDraftStore.writers),
        "discardReferralDraft": .roles(ReferralDraftStore.writers),
        "matchReferral": .roles(ReferralStore.assessors),
        "bookReferral": .roles(ReferralStore.bookers),
        "requestTransfer": .roles(TransferStore.requesters),
        "makeEmergencyTransfer": .roles(TransferStore.requesters),
        "matchEmergencyTransfer": .roles(TransferStore.requesters),
        "listTransfers": .roles(TransferStore.readers),
        "getTransfer": .roles(TransferStore.readers),
        "matchTransfer": .roles(TransferStore.deciders),
        "bookTransfer": .roles(TransferStore.deciders),
        "refuseTransfer": .roles(TransferStore.deciders),
        "appealPlacement": .roles(AppealStore.appellants),
        "listAppeals": .roles(TransferStore.readers),
        "getAppeal": .roles(TransferStore.readers),
        "decideAppeal": .roles(TransferStore.deciders),
        "offerReferral": .roles(ReferralStore.offerers),
        "getTonight": .anyStaff,
        "listMovements": .anyStaff,
        "listPremisesMovements": .anyStaff,
        "recordMovement": .roles(CurfewStore.recorders),
        "correctMovement": .roles(CurfewStore.recorders),
        "listCurfewVariations": .anyStaff,
        "addCurfewVariation": .roles(CurfewVariationStore.approvers),
        "listCurfewBreaches": .anyStaff,
        "listResidentCurfewBreaches": .anyStaff,
        "escalateCurfewBreach": .roles(CurfewBreachStore.escalators),
        "recordCurfewBreachOutcome": .roles(CurfewBreachStore.deciders),
        "writeHandover": .roles(HandoverStore.staff),
        "getLatestHandover": .anyStaff,
        "listPendingHandovers": .anyStaff,
        "acknowledgeHandover": .roles(HandoverStore.staff),
        "getNightChecks": .anyStaff,
        "recordNightCheck": .roles(NightCheckStore.recorders),
        "listIncidents": .anyStaff,
        "recordIncident": .roles(IncidentStore.recorders),
        "getIncident": .anyStaff,
        "amendIncident": .roles(IncidentStore.recorders),
        "verifyLogs": .roles(LogChainStore.verifiers),
        "takeReceipt": .roles(LogChainStore.verifiers),
        "verifyNationalLog": .roles([.administrator]),
        "takeNationalReceipt": .roles([.administrator]),
        "checkReceipt": .roles(LogChainStore.verifiers),
        "verifyWithWitness": .roles(LogChainStore.verifiers),
        "assignKeyWorker": .roles(KeyWorkStore.assigners),
        "listKeyWorkSessions": .anyStaff,
        "recordKeyWorkSession": .roles(KeyWorkStore.recorders),
        "correctKeyWorkSession": .roles(KeyWorkStore.recorders),
        "completeKeyWorkAction": .roles(KeyWorkStore.recorders),
        "dropKeyWorkAction": .roles(KeyWorkStore.recorders),
        "moveKeyWorkAction": .roles(KeyWorkStore.recorders),
        "getKeyWorkDue": .anyStaff,
        "listTestingAuthorisations": .anyStaff,
        "authoriseTesting": .roles(TestingStore.authorisers),
        "listPremisesTests": .anyStaff,
        "listResidentTests": .anyStaff,
        "recordTest": .roles(TestingStore.recorders),
        "recordCustodyStep": .roles(TestingStore.recorders),
        "recordTestResults": .roles(TestingStore.recorders),
        "correctTestResult": .roles(TestingStore.recorders),
        "recordTestFollowUp": .roles(TestingStore.recorders),
        "getMoveOnPlan": .anyStaff,
        "addMoveOnPathway": .roles(MoveOnStore.workers),
        "updateMoveOnPathway": .roles(MoveOnStore.workers),
        "setMoveOnAddress": .roles(MoveOnStore.workers),
        "listMoveOnFlags": .anyStaff,
        "getResidentRecord": .anyStaff,
        "getDepartureSummary": .anyStaff,
        "getDepartureSummaryText": .anyStaff,
        "getOccupancyReport": .anyStaff,
        "getOccupancyBoard": .roles(ReportStore.boardReaders),
        "getMoveOnReport": .anyStaff,
        "getOperationsReport": .anyStaff,
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
        case .everyone:
            _ = try RequestScope.caller()
        case .anyStaff:
            let caller = try RequestScope.caller()
            if caller.role == .probationPractitioner { throw PremisesAccess.notYours }
            if caller.role == .sarOfficer {
                throw DomainError(.forbidden, "a subject access officer answers subject access requests, and may not do this")
            }
        case .roles(let roles):
            let caller = try RequestScope.caller()
            guard roles.contains(caller.role) else {
                if caller.role == .probationPractitioner { throw PremisesAccess.notYours }
                let allowed = Role.allCases.filter(roles.contains).map(\.title).joined(separator: ", ")
                throw DomainError(.forbidden, "\(caller.role.aTitle) may not do this; it needs one of: \(allowed)")
            }
        }
        return try await next(request, body, metadata)
    }
}
