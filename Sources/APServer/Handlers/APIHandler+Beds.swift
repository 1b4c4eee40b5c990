import APIContract
import ApprovedPremises
import Foundation
import OpenAPIRuntime

extension APIHandler {
    func listRooms(_ input: Operations.ListRooms.Input) async throws -> Operations.ListRooms.Output {
        let found = try await stores.rooms.rooms(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(found.map(Components.Schemas.Room.init))))
    }

    func createRoom(_ input: Operations.CreateRoom.Input) async throws -> Operations.CreateRoom.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the room as JSON") }
        let room = try await stores.rooms.addRoom(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), name: body.name, floor: body.floor,
            characteristics: body.characteristics ?? [], by: try RequestScope.caller())
        return .created(.init(body: .json(.init(room))))
    }

    func importRooms(_ input: Operations.ImportRooms.Input) async throws -> Operations.ImportRooms.Output {
        guard case .csv(let body) = input.body else { throw DomainError(.invalid, "send the rooms as text/csv") }
        let text = try await String(collecting: body, upTo: 1 << 20)
        let caller = try RequestScope.caller()
        let premisesID = try Input.uuid(input.path.premisesId, field: "premisesId")
        let found = try await stores.premises.get(premisesID, by: caller)
        let today = CalendarDate.today(in: TimeZone(identifier: found.timeZone) ?? .current)
        let loaded = try await stores.rooms.importCSV(text, premisesID: premisesID, today: today, by: caller)
        return .created(.init(body: .json(loaded.map(Components.Schemas.Room.init))))
    }

    func createBed(_ input: Operations.CreateBed.Input) async throws -> Operations.CreateBed.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the bed as JSON") }
        let bed = try await stores.rooms.addBed(
            roomID: try Input.uuid(input.path.roomId, field: "roomId"), label: body.label,
            inUseFrom: try Input.optionalDate(body.inUseFrom, field: "inUseFrom"),
            inUseUntil: try Input.optionalDate(body.inUseUntil, field: "inUseUntil"), by: try RequestScope.caller())
        return .created(.init(body: .json(.init(bed))))
    }

    func retireBed(_ input: Operations.RetireBed.Input) async throws -> Operations.RetireBed.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the first night out of use as JSON") }
        let bed = try await stores.rooms.retireBed(
            try Input.uuid(input.path.bedId, field: "bedId"), from: try Input.date(body.from, field: "from"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(bed))))
    }

    func createOutOfService(_ input: Operations.CreateOutOfService.Input) async throws -> Operations.CreateOutOfService.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the period as JSON") }
        let nights = Nights(first: try Input.date(body.start, field: "start"), end: try Input.date(body.end, field: "end"))
        let period = try await stores.outOfService.create(
            bedID: try Input.uuid(input.path.bedId, field: "bedId"), nights: nights, reason: body.reason,
            reference: body.reference, notes: body.notes, by: try RequestScope.caller())
        return .created(.init(body: .json(.init(period))))
    }

    func endOutOfService(_ input: Operations.EndOutOfService.Input) async throws -> Operations.EndOutOfService.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the end as JSON") }
        let period = try await stores.outOfService.end(
            try Input.uuid(input.path.outOfServiceId, field: "outOfServiceId"), on: try Input.date(body.end, field: "end"),
            by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(period))))
    }

    func cancelOutOfService(_ input: Operations.CancelOutOfService.Input) async throws -> Operations.CancelOutOfService.Output {
        let period = try await stores.outOfService.cancel(
            try Input.uuid(input.path.outOfServiceId, field: "outOfServiceId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(period))))
    }

    func getBedBoard(_ input: Operations.GetBedBoard.Input) async throws -> Operations.GetBedBoard.Output {
        let caller = try RequestScope.caller()
        let premisesID = try Input.uuid(input.path.premisesId, field: "premisesId")
        let found = try await stores.premises.get(premisesID, by: caller)
        let first =
            try Input.optionalDate(input.query.from, field: "from")
            ?? CalendarDate.today(in: TimeZone(identifier: found.timeZone) ?? .current)
        let count = input.query.nights ?? 14
        guard (1...BedBoard.maximumNights).contains(count) else {
            throw DomainError.invalid(field: "nights", rule: "range", "nights must be between 1 and \(BedBoard.maximumNights)")
        }
        let board = try await stores.bedBoards.board(
            premisesID: premisesID, nights: Nights(first: first, end: first.adding(days: count)), by: caller)
        return .ok(.init(body: .json(.init(board))))
    }
}

extension Components.Schemas.Room {
    init(_ room: ApprovedPremises.Room) {
        self.init(
            id: room.id.lowercased, premisesId: room.premisesID.lowercased, name: room.name, floor: room.floor,
            characteristics: room.characteristics, beds: room.beds.map(Components.Schemas.Bed.init))
    }
}

extension Components.Schemas.Bed {
    init(_ bed: ApprovedPremises.Bed) {
        self.init(
            id: bed.id.lowercased, roomId: bed.roomID.lowercased, label: bed.label,
            inUseFrom: bed.inUseFrom.description, inUseUntil: bed.inUseUntil?.description)
    }
}

extension Components.Schemas.OutOfService {
    init(_ period: ApprovedPremises.OutOfService) {
        self.init(
            id: period.id.lowercased, bedId: period.bedID.lowercased, start: period.nights.first.description,
            end: period.nights.end.description, reason: period.reason, reference: period.reference, notes: period.notes,
            cancelled: period.cancelled, version: period.version)
    }
}

extension Components.Schemas.BedBoard {
    init(_ board: ApprovedPremises.BedBoard) {
        func person(_ person: ApprovedPremises.BedBoard.Person) -> Components.Schemas.BedBoardPerson {
            .init(
                placementId: person.placementID.lowercased, personName: person.personName, crn: person.crn,
                bedLabel: person.bedLabel, date: person.date.description)
        }
        self.init(
            premisesId: board.premisesID.lowercased, nights: board.nights.map(\.description),
            beds: board.beds.map { row in
                .init(
                    bedId: row.bedID.lowercased, label: row.label, room: row.room, characteristics: row.characteristics,
                    nights: row.nights.map { cell in
                        .init(
                            state: .init(cell.state), placementId: cell.placementID?.lowercased,
                            personName: cell.personName, crn: cell.crn, reason: cell.reason)
                    })
            },
            summary: board.summary.map {
                .init(
                    night: $0.night.description, usableBeds: $0.usableBeds, outOfServiceBeds: $0.outOfServiceBeds, booked: $0.booked,
                    allocated: $0.allocated, unallocated: $0.unallocated, freeBeds: $0.freeBeds, overbooked: $0.overbooked,
                    overbookedNeeds: $0.overbookedNeeds)
            },
            today: board.today.description, arrivingToday: board.arrivingToday.map(person),
            departingToday: board.departingToday.map(person), residents: board.residents.map(person))
    }
}

extension UUID {
    /// The lower-case form the API uses.
    var lowercased: String { uuidString.lowercased() }
}

extension APIHandler {
    func suggestAllocations(_ input: Operations.SuggestAllocations.Input) async throws -> Operations.SuggestAllocations.Output {
        .ok(.init(body: .json(try await allocationPlan(premisesID: input.path.premisesId, apply: false))))
    }

    func applyAllocationPlan(_ input: Operations.ApplyAllocationPlan.Input) async throws -> Operations.ApplyAllocationPlan.Output {
        .ok(.init(body: .json(try await allocationPlan(premisesID: input.path.premisesId, apply: true))))
    }

    private func allocationPlan(premisesID: String, apply: Bool) async throws -> Components.Schemas.AllocationPlan {
        let (plan, placements, beds) = try await stores.allocationPlans.suggest(
            premisesID: try Input.uuid(premisesID, field: "premisesId"), apply: apply, by: try RequestScope.caller())
        return Components.Schemas.AllocationPlan(
            assignments: plan.assignments.compactMap { assignment in
                guard let placement = placements[assignment.placementID], let nights = placement.nights else { return nil }
                return .init(
                    placementId: placement.id.lowercased, personName: placement.personName, crn: placement.crn,
                    bedId: assignment.bedID.lowercased, bedLabel: beds[assignment.bedID] ?? "?",
                    from: nights.first.description, to: nights.end.description)
            },
            unfitted: plan.unfitted.compactMap { unfitted in
                guard let placement = placements[unfitted.placementID] else { return nil }
                return .init(
                    placementId: placement.id.lowercased, personName: placement.personName, crn: placement.crn, reason: unfitted.reason)
            })
    }
}
