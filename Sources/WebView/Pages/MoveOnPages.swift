import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/move-on`: the residents due to move on within four weeks with no address
/// yet (the four-week flag list), each linking to their plan; `/premises/{code}/pathways/{id}`
/// records a pathway's new status (applied, offered, accepted, declined…) on a date. Pathways
/// and the address are added from the resident's move-on tab (`PlacementForms.pathway`, `.address`).
struct MoveOnPages: Sendable {
    let view: WebView

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/move-on") { _, context in
            let scope = try await view.premisesScope(context, current: "move-on")
            let flags = try await view.stores.moveOn.flags(premisesID: scope.premises.id, keyWorkerID: nil, by: scope.principal)
            let words = scope.wording
            var page = RecordsPage(caption: scope.premises.name, heading: "Move-on")
            page.intro = [
                "Residents due to leave within \(MoveOnStore.flagWindowDays / 7) weeks who have no move-on address yet, soonest first."
            ]
            page.tables = [
                .init(
                    caption: "Due to move on with no address", headers: ["Resident", "Move on by", "Key worker", "Pathways"],
                    rows: flags.map { flag in
                        .init(cells: [
                            .init(flag.personName, href: "\(scope.base)/placements/\(flag.placementID.uuidString.lowercased())/move-on"),
                            .init(
                                "\(words.date(flag.targetDate)) (\(flag.daysLeft < 0 ? "\(-flag.daysLeft) days ago" : "in \(flag.daysLeft) days"))"
                            ),
                            .init(flag.keyWorker ?? "None assigned"),
                            .init(
                                flag.pathways.map { pathway in
                                    let parts = pathway.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                                    return parts.map(Labels.of).joined(separator: ": ")
                                }.joined(separator: "; ").nonEmpty ?? "None yet"),
                        ])
                    }, none: "Nobody is due to move on within four weeks without an address.")
            ]
            return view.renderer.page("records", title: "Move-on, \(scope.premises.name)", chrome: scope.chrome, view: page)
        }
        DayForm.register([Self.pathwayUpdate], premises: true, view: view, on: router)
    }

    static var pathwayUpdate: DayForm {
        DayForm(
            path: "pathways/:id", heading: "Update a move-on pathway", roles: MoveOnStore.workers, current: "move-on",
            fields: { form, posted in
                let (plan, pathway) = try await form.view.stores.moveOn.plan(ofPathway: try form.uuid("pathway"), by: form.principal)
                return Self.pathwayUpdate.model(
                    form, caption: plan.personName, submit: "Save the update",
                    fields: [
                        .radios(
                            "status", "Where has it got to?", name: "where it has got to",
                            options: MoveOnPlan.PathwayStatus.allCases.filter { $0 != .planned }.map {
                                .init(
                                    value: $0.rawValue, text: Labels.of($0.rawValue), hint: nil, checked: posted?["status"] == $0.rawValue)
                            }),
                        .date("on", "On", name: "the date", hint: DateInput.hint(form.today), value: form.today, posted: posted),
                        .textarea("note", "Notes (optional)", value: posted?["note"]),
                    ],
                    intro: [
                        "\(Labels.of(pathway.kind.rawValue))\(pathway.detail.map { ": \($0)" } ?? ""), now \(Labels.of(pathway.status.rawValue).lowercased())."
                    ],
                    cancel: "\(form.base)/placements/\(plan.placementID.uuidString.lowercased())/move-on")
            },
            change: { form, fields in
                let on = try DateInput.date(fields, "on", name: "the date")
                guard let status = fields["status"] else {
                    throw DomainError.invalid(field: "status", rule: "required", "Choose where the pathway has got to")
                }
                let plan = try await form.view.stores.moveOn.updatePathway(
                    try form.uuid("pathway"), status: status, on: on, note: fields["note"], by: form.principal)
                return "\(form.base)/placements/\(plan.placementID.uuidString.lowercased())/move-on?done=pathway-update"
            })
    }
}
