import ApprovedPremises
import Foundation

/// The AP manager's forms that move a resident on or question a booking: ask the referral unit
/// for a planned transfer, move a resident tonight (an emergency transfer), appeal a booking.
extension PlacementForms {
    var transferRequest: Action {
        Action(
            path: "transfer", heading: "Ask for a transfer", submit: "Send the request", done: "transfer-asked",
            roles: TransferStore.requesters,
            fields: { form, posted in
                let words = form.scope.wording
                return Self.model(
                    "transfer", form, heading: "Ask for a transfer", submit: "Send the request",
                    fields: [
                        .select(
                            "reason", "Why should they move?", name: "why they should move", value: posted?["reason"],
                            choices: try await Self.vocabulary(form, "transfer-reasons")),
                        .date(
                            "transferDate", "The day they move", name: "the day they move",
                            hint:
                                "Today or later, after their first night here, and no later than "
                                + "\(words.date(form.placement.expectedDeparture.adding(days: -1))), their last night here. "
                                + DateInput.hint(form.scope.today.adding(days: 7)),
                            value: nil, posted: posted),
                        .textarea("notes", "Notes", hint: "Needed when the reason is Other.", value: posted?["notes"]),
                    ],
                    intro: [
                        "The Central Referral Unit matches \(form.placement.personName) for the rest of their stay and books the other AP, "
                            + "or says why not. Booked, the stay here ends on the day they move and the stay there begins that day."
                    ])
            },
            change: { form, fields in
                var validation = Validation()
                let date = DateInput.date(fields, "transferDate", name: "the day they move", into: &validation)
                try validation.check()
                _ = try await form.view.stores.transfers.request(
                    .init(
                        placementID: form.placement.id, reason: try Self.required(fields, "reason", "Choose why they should move"),
                        transferDate: date!, notes: fields["notes"]), by: form.scope.principal)
            })
    }

    var emergencyTransfer: Action {
        Action(
            path: "emergency-transfer", heading: "Emergency transfer", submit: "Move them tonight", done: "transferred",
            roles: TransferStore.requesters,
            fields: { form, posted in
                let words = form.scope.wording
                let until =
                    posted.flatMap { try? DateInput.date($0, "until", name: "the end of the stay there", required: false) }
                    ?? form.placement.expectedDeparture
                let match = try await form.view.stores.transfers.emergencyMatch(form.placement.id, until: until, by: form.scope.principal)
                let options = match.candidates.map { candidate in
                    FormModel.Option(
                        value: candidate.premisesID.uuidString.lowercased(), text: candidate.name,
                        hint: (candidate.distanceMiles.map { String(format: "%.0f miles from home; ", $0) } ?? "")
                            + "bed \(candidate.bedLabel)",
                        checked: posted?["toPremisesId"] == candidate.premisesID.uuidString.lowercased())
                }
                let left = match.excluded.filter(\.isNearMiss).prefix(12).map {
                    FormModel.Aside.Row(cells: [$0.name, Wording.datesInWords($0.reasons.joined(separator: "; "))])
                }
                var model = Self.model(
                    "emergency-transfer", form, heading: "Emergency transfer", submit: "Move them tonight",
                    fields: [
                        .radios(
                            "toPremisesId", "Which AP takes them tonight?", name: "the AP that takes them",
                            hint:
                                "Only APs that suit \(form.placement.personName) and have a bed free every night from tonight are offered, nearest their home first.",
                            options: options),
                        .input(
                            "agreedBy", "The receiving AP manager who agreed", name: "who agreed",
                            hint: "Their username, as they sign in (for example oak.manager).", value: posted?["agreedBy"]),
                        .select(
                            "reason", "Why must they move tonight?", name: "why they must move", value: posted?["reason"],
                            choices: try await Self.vocabulary(form, "transfer-reasons")),
                        .date(
                            "until", "End of the stay there", name: "the end of the stay there",
                            hint: "Their expected departure here, \(words.date(form.placement.expectedDeparture)), unless you agreed less.",
                            value: until, posted: posted),
                        .textarea("notes", "What happened", hint: "Needed when the reason is Other.", value: posted?["notes"]),
                    ],
                    intro: options.isEmpty
                        ? ["No AP that suits \(form.placement.personName) has a bed free every night from tonight."] : [],
                    aside: left.isEmpty ? nil : .init(caption: "Nearest APs not offered, and why", headers: ["AP", "Why not"], rows: left))
                model.warning =
                    "This ends the stay here today and begins the stay there today, at once. The Central Referral Unit is told and may change the dates."
                model.isWarning = true
                return model
            },
            change: { form, fields in
                var validation = Validation()
                let to = fields["toPremisesId"].flatMap(UUID.init(uuidString:))
                if to == nil { validation.add(field: "toPremisesId", rule: "required", "Choose the AP that takes them") }
                if fields["agreedBy"] == nil { validation.add(field: "agreedBy", rule: "required", "Enter who agreed") }
                let until = DateInput.date(fields, "until", name: "the end of the stay there", required: false, into: &validation)
                try validation.check()
                _ = try await form.view.stores.transfers.emergency(
                    .init(
                        placementID: form.placement.id, toPremisesID: to!, agreedBy: fields["agreedBy"]!,
                        reason: try Self.required(fields, "reason", "Choose why they must move"), notes: fields["notes"],
                        expectedDeparture: until), by: form.scope.principal)
            })
    }

    var appeal: Action {
        Action(
            path: "appeal", heading: "Appeal this booking", submit: "Send the appeal", done: "appealed", roles: AppealStore.appellants,
            fields: { form, posted in
                Self.model(
                    "appeal", form, heading: "Appeal this booking", submit: "Send the appeal",
                    fields: [
                        .select(
                            "reason", "Why should the booking not stand?", name: "why the booking should not stand",
                            value: posted?["reason"],
                            choices: try await Self.vocabulary(form, "appeal-reasons")),
                        .textarea("notes", "Notes", hint: "Needed when the reason is Other.", value: posted?["notes"]),
                    ],
                    intro: [
                        "\(form.placement.personName) is expected on \(form.scope.wording.date(form.placement.expectedArrival)). "
                            + "The Central Referral Unit decides: accepted, the booking is cancelled and they are matched again; rejected, it stands."
                    ])
            },
            change: { form, fields in
                _ = try await form.view.stores.appeals.appeal(
                    form.placement.id, reason: try Self.required(fields, "reason", "Choose why the booking should not stand"),
                    notes: fields["notes"], by: form.scope.principal)
            })
    }
}
