import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/rooms`: the premises' rooms with their characteristics and beds (with the
/// nights each is in use); managers and administrators add a room (`rooms/new`, its
/// characteristics by name), add a bed (`rooms/{id}/beds/new`), retire a bed from a night
/// (`beds/{id}/retire`) and load rooms and beds from CSV (`rooms/import`, as `ap beds import`).
struct RoomPages: Sendable {
    let view: WebView

    static let done = [
        "room": "Room added", "bed": "Bed added", "retired": "Bed retired: it is not in use from the night given",
        "imported": "Rooms and beds loaded",
    ]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/rooms") { request, context in
            var scope = try await view.premisesScope(context, current: "beds")
            scope.chrome.done = request.query("done").flatMap { Self.done[$0] }
            return try await page(scope)
        }
        DayForm.register([Self.newRoom, Self.newBed, Self.retire, Self.importRooms], premises: true, view: view, on: router)
    }

    private func page(_ scope: PremisesScope) async throws -> Response {
        let rooms = try await view.stores.rooms.rooms(premisesID: scope.premises.id, by: scope.principal)
        let names = try await view.names.characteristics()
        let words = scope.wording
        let keeper = scope.may(RoomStore.keepers)
        var page = RecordsPage(caption: scope.premises.name, heading: "Rooms and beds")
        if keeper {
            page.action("\(scope.base)/rooms/new", "Add a room")
            page.action("\(scope.base)/rooms/import", "Load rooms and beds from CSV")
        }
        page.action("\(scope.base)/beds", "The bed board")
        func inUse(_ bed: Bed) -> String {
            let from = "From \(words.date(bed.inUseFrom))"
            guard let until = bed.inUseUntil else { return from }
            return until <= scope.today
                ? "Retired: not in use from \(words.date(until))" : "\(from); not in use from \(words.date(until))"
        }
        page.tables = [
            .init(
                caption: "Rooms", headers: ["Room", "Floor", "Characteristics", "Beds", ""],
                rows: rooms.map { room in
                    .init(cells: [
                        .init(room.name), .init(room.floor ?? ""),
                        .init(ReferenceNames.list(room.characteristics, in: names, none: "None")),
                        .init(room.beds.map(\.label).joined(separator: ", ").nonEmpty ?? "No beds"),
                        keeper
                            ? .init(
                                "Add a bed", href: "\(scope.base)/rooms/\(room.id.uuidString.lowercased())/beds/new",
                                hidden: "to \(room.name)") : "",
                    ])
                }, none: "No room is set up yet."),
            .init(
                caption: "Beds", headers: ["Bed", "Room", "In use", ""],
                rows: rooms.flatMap { room in
                    room.beds.map { bed in
                        .init(cells: [
                            .init(bed.label), .init(room.name), .init(inUse(bed)),
                            keeper && (bed.inUseUntil.map { $0 > scope.today } ?? true)
                                ? .init(
                                    "Retire", href: "\(scope.base)/beds/\(bed.id.uuidString.lowercased())/retire",
                                    hidden: "bed \(bed.label), \(room.name)")
                                : "",
                        ])
                    }
                }, none: "No bed is set up yet."),
        ]
        return view.renderer.page("records", title: "Rooms and beds, \(scope.premises.name)", chrome: scope.chrome, view: page)
    }

    static var newRoom: DayForm {
        DayForm(
            path: "rooms/new", heading: "Add a room", roles: RoomStore.keepers, current: "beds",
            fields: { form, posted in
                let names = try await form.view.names.names("room-characteristics")
                let chosen = posted?.all("characteristics") ?? []
                return Self.newRoom.model(
                    form, caption: form.premises.premises.name, submit: "Add the room",
                    fields: [
                        .input("name", "Name", hint: "As it is known in the building, for example Room 4.", value: posted?["name"]),
                        .input("floor", "Floor (optional)", value: posted?["floor"]),
                        .checkboxes(
                            "characteristics", "What the room has (optional)", name: "what the room has",
                            options: names.sorted { $0.value < $1.value }.map {
                                .init(value: $0.key, text: $0.value, hint: nil, checked: chosen.contains($0.key))
                            }),
                    ], cancel: "\(form.base)/rooms")
            },
            change: { form, fields in
                guard fields["name"] != nil else { throw DomainError.invalid(field: "name", rule: "required", "Enter the room's name") }
                _ = try await form.view.stores.rooms.addRoom(
                    premisesID: form.premises.premises.id, name: fields["name"] ?? "", floor: fields["floor"],
                    characteristics: fields.all("characteristics"), by: form.principal)
                return "\(form.base)/rooms?done=room"
            })
    }

    static var newBed: DayForm {
        DayForm(
            path: "rooms/:id/beds/new", heading: "Add a bed", roles: RoomStore.keepers, current: "beds",
            fields: { form, posted in
                let room = try await Self.room(form)
                return Self.newBed.model(
                    form, caption: room.name, submit: "Add the bed",
                    fields: [
                        .input("label", "Label", hint: "How staff name the bed, for example 4A.", value: posted?["label"]),
                        .date(
                            "inUseFrom", "First night in use (optional)", name: "the first night in use",
                            hint: DateInput.hint(form.today, "Leave it empty for tonight."), value: nil, posted: posted),
                    ], cancel: "\(form.base)/rooms")
            },
            change: { form, fields in
                let room = try await Self.room(form)
                var validation = Validation()
                let from = DateInput.date(fields, "inUseFrom", name: "the first night in use", required: false, into: &validation)
                if fields["label"] == nil { validation.add(field: "label", rule: "required", "Enter the bed's label") }
                try validation.check()
                _ = try await form.view.stores.rooms.addBed(
                    roomID: room.id, label: fields["label"] ?? "", inUseFrom: from, inUseUntil: nil, by: form.principal)
                return "\(form.base)/rooms?done=bed"
            })
    }

    static var retire: DayForm {
        DayForm(
            path: "beds/:id/retire", heading: "Retire a bed", roles: RoomStore.keepers, current: "beds",
            fields: { form, posted in
                let (bed, room) = try await Self.bed(form)
                var model = Self.retire.model(
                    form, caption: "Bed \(bed.label), \(room.name)", submit: "Retire the bed",
                    fields: [
                        .date(
                            "from", "First night it is not in use", name: "the first night it is not in use",
                            hint: DateInput.hint(form.today.adding(days: 1), "Today or later."), value: nil, posted: posted)
                    ],
                    intro: ["The bed disappears from the bed board from that night, and nobody can be given it from then on."],
                    cancel: "\(form.base)/rooms")
                model.warning = "Retiring a bed cannot be undone here: a bed back in use is added again."
                model.isWarning = true
                return model
            },
            change: { form, fields in
                let (bed, _) = try await Self.bed(form)
                guard let from = try DateInput.date(fields, "from", name: "the first night it is not in use") else {
                    throw DomainError.invalid(field: "from", rule: "required", "Enter the first night it is not in use")
                }
                _ = try await form.view.stores.rooms.retireBed(bed.id, from: from, by: form.principal)
                return "\(form.base)/rooms?done=retired"
            })
    }

    static var importRooms: DayForm {
        DayForm(
            path: "rooms/import", heading: "Load rooms and beds from CSV", roles: RoomStore.keepers, current: "beds",
            fields: { form, posted in
                Self.importRooms.model(
                    form, caption: form.premises.premises.name, submit: "Load them",
                    fields: [
                        .textarea(
                            "csv", "The file's contents",
                            hint:
                                "Paste the CSV file: a first line naming the columns room, floor, characteristics, bed, in use from, then one line per bed (characteristics as their codes, separated by spaces; the first night in use as year-month-day), as ap beds import reads it.",
                            value: posted?["csv"])
                    ],
                    intro: ["Every row loads, or none does. A room already here keeps its characteristics and gets the new beds."],
                    cancel: "\(form.base)/rooms")
            },
            change: { form, fields in
                guard fields["csv"] != nil else { throw DomainError.invalid(field: "csv", rule: "required", "Paste the file's contents") }
                _ = try await form.view.stores.rooms.importCSV(
                    fields["csv"] ?? "", premisesID: form.premises.premises.id, today: form.today, by: form.principal)
                return "\(form.base)/rooms?done=imported"
            })
    }

    static func room(_ form: DayForm.Context) async throws -> Room {
        let id = try form.uuid("room")
        guard
            let room = try await form.view.stores.rooms.rooms(premisesID: form.premises.premises.id, by: form.principal).first(where: {
                $0.id == id
            })
        else { throw PageError.notFound("There is no such room at \(form.premises.premises.name).") }
        return room
    }

    static func bed(_ form: DayForm.Context) async throws -> (Bed, Room) {
        let id = try form.uuid("bed")
        for room in try await form.view.stores.rooms.rooms(premisesID: form.premises.premises.id, by: form.principal) {
            if let bed = room.beds.first(where: { $0.id == id }) { return (bed, room) }
        }
        throw PageError.notFound("There is no such bed at \(form.premises.premises.name).")
    }
}
