import ApprovedPremises
import Foundation

extension PlacementForms {
    var allocation: Action {
        Action(
            path: "allocate", heading: "Allocate a bed", submit: "Allocate this bed", done: "allocated", roles: PlacementStore.allocators,
            fields: { form, posted in
                let placement = form.placement
                let scope = form.scope
                let words = scope.wording
                guard let stay = placement.nights else {
                    throw DomainError(.conflict, "a \(placement.status.rawValue) placement cannot be given a bed")
                }
                let start = placement.status == .arrived ? max(scope.today, stay.first) : stay.first
                let from = posted.flatMap { try? DateInput.date($0, "from", name: "the first night in this bed", required: false) } ?? start
                let nights = Nights(first: max(from, stay.first), end: stay.end)
                let beds = try await Self.beds(form, nights: nights)
                let names = try await form.view.names.characteristics()
                let reasons = try await form.view.names.names("out-of-service-reasons")
                var suitable = [FormModel.Option]()
                var refused = [FormModel.Aside.Row]()
                for bed in beds {
                    let missing = placement.needs.filter { !bed.characteristics.contains($0) }
                    var why = [String]()
                    if !missing.isEmpty { why.append("lacks \(ReferenceNames.list(missing, in: names).lowercased())") }
                    if let (night, cell) = zip(nights.all, bed.cells).first(where: {
                        $0.1.state != .free && $0.1.placementID != placement.id
                    }) {
                        switch cell.state {
                        case .allocated: why.append("allocated to \(cell.personName ?? "someone") from \(words.date(night))")
                        case .outOfService:
                            why.append(
                                "out of service from \(words.date(night)) (\(cell.reason.map { reasons[$0] ?? $0 } ?? "no reason given"))")
                        default: why.append("not in use from \(words.date(night))")
                        }
                    }
                    let characteristics = ReferenceNames.list(bed.characteristics, in: names, none: "No room characteristics")
                    if why.isEmpty {
                        suitable.append(
                            .init(
                                value: bed.id.uuidString.lowercased(), text: "Bed \(bed.label), \(bed.room)", hint: characteristics,
                                checked: posted?["bedId"] == bed.id.uuidString.lowercased()))
                    } else {
                        refused.append(.init(cells: ["Bed \(bed.label), \(bed.room)", why.joined(separator: "; ")]))
                    }
                }
                let needs =
                    placement.needs.isEmpty
                    ? "The stay needs no particular room characteristics."
                    : "The stay needs: \(ReferenceNames.list(placement.needs, in: names).lowercased())."
                let intro =
                    nights.count == 0
                    ? ["The stay has no nights left to give a bed for."]
                    : ["Nights \(words.date(nights.first)) to \(words.date(nights.end.adding(days: -1))). \(needs)"]
                        + (suitable.isEmpty ? ["No bed is free for every one of these nights with what the stay needs."] : [])
                return Self.model(
                    "allocate", form, heading: "Allocate a bed", submit: "Allocate this bed",
                    fields: [
                        .radios(
                            "bedId", "Which bed?", hint: "Only beds free for every night with what the stay needs are offered.",
                            options: suitable),
                        .date(
                            "from", "First night in this bed (optional)", name: "the first night in this bed",
                            hint: DateInput.hint(
                                start, "Leave it as it is for the whole stay; a later night moves the resident from that night on."),
                            value: from, posted: posted),
                    ], intro: intro,
                    aside: refused.isEmpty ? nil : .init(caption: "Beds not offered, and why", headers: ["Bed", "Why not"], rows: refused))
            },
            change: { form, fields in
                var validation = Validation()
                let bed = fields["bedId"].flatMap(UUID.init(uuidString:))
                if bed == nil { validation.add(field: "bedId", rule: "required", "Choose a bed") }
                let from = DateInput.date(fields, "from", name: "the first night in this bed", required: false, into: &validation)
                try validation.check()
                try await form.view.stores.placements.allocate(form.placement.id, bedID: bed!, from: from, by: form.scope.principal)
            })
    }

    var arrival: Action {
        Action(
            path: "arrival", heading: "Record the arrival", submit: "Record the arrival", done: "arrived", roles: PlacementStore.recorders,
            fields: { form, posted in
                let words = form.scope.wording
                let today = CalendarDate.today(in: Self.zone(form))
                var model = Self.model(
                    "arrival", form, heading: "Record the arrival", submit: "Record the arrival",
                    fields: [
                        .date(
                            "arrivedAt", "Date of arrival",
                            hint: "Expected \(words.date(form.placement.expectedArrival)). \(DateInput.hint(today))",
                            value: today, posted: posted),
                        .time(
                            "arrivedAt-time", "Time of arrival", name: "the time of arrival",
                            value: posted.map { $0["arrivedAt-time"] ?? "" } ?? words.time(Date())),
                        .select(
                            "keyWorkerId", "Key worker (optional)", value: posted?["keyWorkerId"], choices: try await Self.keyWorkers(form)),
                        .textarea(
                            "earlyArrivalReason", "Why they arrived early (only more than 7 days early)",
                            name: "the reason they arrived early",
                            value: posted?["earlyArrivalReason"]),
                    ])
                model.askWhyOverbooked(posted, hint: "An arrival before the expected date takes nights on which every bed is taken.")
                return model
            },
            change: { form, fields in
                _ = try await form.view.stores.placements.arrive(
                    form.placement.id,
                    at: try DateInput.instant(
                        fields, "arrivedAt", name: ("the date of arrival", "the time of arrival"), in: Self.zone(form)),
                    keyWorkerID: fields["keyWorkerId"].flatMap(UUID.init(uuidString:)), earlyReason: fields["earlyArrivalReason"],
                    expectedVersion: nil, by: form.scope.principal, checkCapacity: true, overbookingReason: fields["overbookingReason"])
            })
    }

    var nonArrival: Action {
        Action(
            path: "non-arrival", heading: "Record a non-arrival", submit: "Record the non-arrival", done: "non-arrived",
            roles: PlacementStore.recorders,
            fields: { form, posted in
                Self.model(
                    "non-arrival", form, heading: "Record a non-arrival", submit: "Record the non-arrival",
                    fields: [
                        .select(
                            "reason", "Why did they not arrive?", name: "why they did not arrive", value: posted?["reason"],
                            choices: try await Self.vocabulary(form, "non-arrival-reasons")),
                        .textarea("notes", "Notes (optional)", value: posted?["notes"]),
                    ])
            },
            change: { form, fields in
                _ = try await form.view.stores.placements.recordNonArrival(
                    form.placement.id, reason: try Self.required(fields, "reason", "Choose why they did not arrive"),
                    notes: fields["notes"], expectedVersion: nil, by: form.scope.principal)
            })
    }

    var departure: Action {
        Action(
            path: "departure", heading: "Record the departure", submit: "Record the departure", done: "departed",
            roles: PlacementStore.recorders,
            fields: { form, posted in
                Self.model(
                    "departure", form, heading: "Record the departure", submit: "Record the departure",
                    fields: [
                        .date(
                            "departedAt", "Date of departure", hint: DateInput.hint(CalendarDate.today(in: Self.zone(form))),
                            value: CalendarDate.today(in: Self.zone(form)), posted: posted),
                        .time(
                            "departedAt-time", "Time of departure", name: "the time of departure",
                            value: posted.map { $0["departedAt-time"] ?? "" } ?? form.scope.wording.time(Date())),
                        .select(
                            "reason", "Reason for leaving", name: "the reason for leaving", value: posted?["reason"],
                            choices: try await Self.vocabulary(form, "departure-reasons")),
                        .select(
                            "moveOnCategory", "Where they moved on to", hint: "Needed when the reason is a planned move-on.",
                            value: posted?["moveOnCategory"], choices: try await Self.vocabulary(form, "move-on-categories")),
                        .input(
                            "transferredTo", "The AP they transferred to", hint: "Needed only for a transfer to another AP.",
                            value: posted?["transferredTo"]),
                        .textarea("notes", "Notes (optional)", value: posted?["notes"]),
                    ])
            },
            change: { form, fields in
                let departure = PlacementStore.Departure(
                    departedAt: try DateInput.instant(
                        fields, "departedAt", name: ("the date of departure", "the time of departure"), in: Self.zone(form)),
                    reason: try Self.required(fields, "reason", "Choose the reason for leaving"), moveOnCategory: fields["moveOnCategory"],
                    notes: fields["notes"],
                    transferredTo: fields["transferredTo"])
                _ = try await form.view.stores.placements.depart(
                    form.placement.id, departure, expectedVersion: nil, by: form.scope.principal)
            })
    }

    var cancellation: Action {
        Action(
            path: "cancellation", heading: "Cancel the placement", submit: "Cancel the placement", done: "cancelled",
            roles: PlacementStore.bookers,
            fields: { form, posted in
                var model = Self.model(
                    "cancellation", form, heading: "Cancel the placement", submit: "Cancel the placement",
                    fields: [
                        .select(
                            "reason", "Why is it cancelled?", name: "why it is cancelled", value: posted?["reason"],
                            choices: try await Self.vocabulary(form, "cancellation-reasons")),
                        .textarea("notes", "Notes (optional)", value: posted?["notes"]),
                    ], intro: ["\(form.placement.personName) is expected on \(form.scope.wording.date(form.placement.expectedArrival))."])
                model.warning = "Cancelling cannot be undone: the bed is released for other people from every night of the stay."
                model.isWarning = true
                return model
            },
            change: { form, fields in
                _ = try await form.view.stores.placements.cancel(
                    form.placement.id, reason: try Self.required(fields, "reason", "Choose why it is cancelled"),
                    notes: fields["notes"], expectedVersion: nil, by: form.scope.principal)
            })
    }

    var keyWorker: Action {
        Action(
            path: "key-worker", heading: "Assign a key worker", submit: "Assign the key worker", done: "key-worker",
            roles: KeyWorkStore.assigners,
            fields: { form, posted in
                Self.model(
                    "key-worker", form, heading: "Assign a key worker", submit: "Assign the key worker",
                    fields: [
                        .select(
                            "keyWorkerId", "Key worker",
                            value: posted?["keyWorkerId"] ?? form.placement.keyWorkerID?.uuidString.lowercased(),
                            choices: try await Self.keyWorkers(form))
                    ])
            },
            change: { form, fields in
                guard let staff = fields["keyWorkerId"].flatMap(UUID.init(uuidString:)) else {
                    throw DomainError.invalid(field: "keyWorkerId", rule: "required", "Choose a key worker")
                }
                _ = try await form.view.stores.keyWork.assignKeyWorker(form.placement.id, staffID: staff, by: form.scope.principal)
            })
    }

    /// A bed across some nights, for the allocation form.
    struct BedNights: Sendable {
        let id: UUID
        let label: String
        let room: String
        let characteristics: [String]
        var cells: [BedBoard.Cell]
    }

    /// Every bed of the premises over `nights`, read a board's worth of nights at a time.
    static func beds(_ form: Context, nights: Nights) async throws -> [BedNights] {
        var beds = [BedNights]()
        var order = [UUID]()
        var first = nights.first
        while first < nights.end {
            let end = min(nights.end, first.adding(days: BedBoard.maximumNights))
            let board = try await form.view.stores.bedBoards.board(
                premisesID: form.scope.premises.id, nights: Nights(first: first, end: end), by: form.scope.principal)
            for row in board.beds {
                if let index = order.firstIndex(of: row.bedID) {
                    beds[index].cells += row.nights
                } else {
                    order.append(row.bedID)
                    beds.append(
                        BedNights(id: row.bedID, label: row.label, room: row.room, characteristics: row.characteristics, cells: row.nights))
                }
            }
            first = end
        }
        return beds
    }

    static func keyWorkers(_ form: Context) async throws -> [(String, String)] {
        let staff = try await form.view.stores.staff.listAtPremises(
            form.scope.premises.id, by: form.scope.principal, page: try PageRequest(limit: 200)
        ).items
        return staff.filter { $0.active && ($0.role == .keyWorker || $0.role == .apManager) }.map {
            ($0.id.uuidString.lowercased(), $0.displayName)
        }
    }

    static func vocabulary(_ form: Context, _ name: String) async throws -> [(String, String)] {
        try await form.view.stores.reference.entries(of: name).filter { $0.active ?? true }.map { ($0.code, $0.name) }
    }

    static func required(_ fields: FormFields, _ name: String, _ message: String) throws -> String {
        guard let value = fields[name] else { throw DomainError.invalid(field: name, rule: "required", message) }
        return value
    }
}
