import ApprovedPremises
import Foundation
import Hummingbird

/// `/staff`: staff accounts. Administrators see every account (by premises, 100 a page) and add
/// one of any role (`/staff/new`), deactivate or reactivate it (`/staff/{id}/status`, which ends
/// its sessions) and set a new password (`/staff/{id}/password`, which ends them too); AP managers
/// see their own premises' staff. No page shows a password, a hash or a token, and a password
/// typed into a form is never kept with its answers.
struct StaffPages: Sendable {
    let view: WebView

    static let done = [
        "added": "Account added", "deactivated": "Account deactivated: its sessions have ended", "reactivated": "Account reactivated",
        "password": "Password set: the account's sessions have ended",
    ]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/staff") { request, context in try await list(request) }
        DayForm.register([Self.add, Self.status, Self.password], premises: false, view: view, on: router)
    }

    private func list(_ request: Request) async throws -> Response {
        let principal = try WebScope.caller()
        guard StaffStore.listers.contains(principal.role) else {
            throw PageError.forbidden("A \(principal.role.title) may not see staff accounts; an AP manager or an administrator may.")
        }
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "staff")
        chrome.done = request.query("done").flatMap { Self.done[$0] }
        let admin = principal.role == .administrator
        let chosen = admin ? request.query("premises").flatMap(UUID.init(uuidString:)) : principal.premisesID
        async let premisesRead = Self.premises(view, principal)
        async let pageRead = view.stores.staff.list(
            by: principal, premisesID: chosen, page: try PageRequest(limit: 100, cursor: request.query("after")))
        let regions = try await view.names.names("regions")
        let (premises, page) = try await (premisesRead, pageRead)
        let premisesNames = Dictionary(premises.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var model = RecordsPage(
            caption: admin ? "Every AP" : premisesNames[principal.premisesID ?? UUID()] ?? "Your AP",
            heading: admin ? "Staff accounts" : "Your staff")
        if admin {
            model.action("/staff/new", "Add an account")
            model.filterAction = "/staff"
            model.filter = [
                .select(
                    "premises", "Premises", value: chosen?.uuidString.lowercased(),
                    choices: premises.map { ($0.id.uuidString.lowercased(), $0.name) })
            ]
        }
        model.intro = ["Passwords are never shown: a new one is typed by the administrator who sets it, and the person changes it."]
        model.tables = [
            .init(
                caption: "Accounts, by user name",
                headers: admin ? ["Name", "User name", "Role", "Where", "State", "", ""] : ["Name", "User name", "Role", "State"],
                rows: page.items.map { staff in
                    let id = staff.id.uuidString.lowercased()
                    let place = staff.premisesID.flatMap { premisesNames[$0] } ?? staff.regionCode.flatMap { regions[$0] } ?? "Every AP"
                    var cells: [RecordsPage.Cell] = [
                        .init(staff.displayName), .init(staff.username), .init(Labels.of(staff.role.rawValue)),
                    ]
                    if admin { cells.append(.init(place)) }
                    cells.append(.init(staff.active ? "Active" : "Deactivated"))
                    if admin && staff.id == principal.staffID {
                        cells += [.init("Your own account"), ""]
                    } else if admin {
                        cells += [
                            .init(staff.active ? "Deactivate" : "Reactivate", href: "/staff/\(id)/status", hidden: staff.displayName),
                            .init("Set a password", href: "/staff/\(id)/password", hidden: "for \(staff.displayName)"),
                        ]
                    }
                    return .init(cells: cells)
                }, none: "No account here.")
        ]
        if let next = page.nextCursor {
            model.action(
                "/staff?after=\(next.urlQueryValue)" + (chosen.map { "&premises=\($0.uuidString.lowercased())" } ?? ""), "Next 100 accounts"
            )
        }
        return view.renderer.page("records", title: model.heading, chrome: chrome, view: model)
    }

    static var add: DayForm {
        DayForm(
            path: "/staff/new", heading: "Add a staff account", roles: StaffStore.administrators, current: "staff",
            fields: { form, posted in
                let premises = try await Self.premises(form.view, form.principal)
                let regions = try await form.view.names.names("regions")
                return Self.add.model(
                    form, caption: "Staff accounts", submit: "Add the account",
                    fields: [
                        .input("displayName", "Full name", value: posted?["displayName"]),
                        .input(
                            "username", "User name", hint: "What they type to sign in: letters, digits, dots and dashes.",
                            value: posted?["username"]),
                        .input("email", "E-mail address (optional)", name: "the e-mail address", value: posted?["email"]),
                        .radios(
                            "role", "Role",
                            options: Role.allCases.map {
                                .init(value: $0.rawValue, text: Labels.of($0.rawValue), hint: nil, checked: posted?["role"] == $0.rawValue)
                            }),
                        .select(
                            "premisesId", "Premises (for AP staff)", name: "the premises",
                            hint: "Residential workers, key workers and AP managers work at one AP.", value: posted?["premisesId"],
                            choices: premises.map { ($0.id.uuidString.lowercased(), $0.name) }),
                        .select(
                            "regionCode", "Region (for regional managers and probation practitioners)", name: "the region",
                            value: posted?["regionCode"], choices: regions.sorted { $0.value < $1.value }.map { ($0.key, $0.value) }),
                        .input("team", "Team (probation practitioners, optional)", name: "the team", value: posted?["team"]),
                        .password(
                            "password", "First password", name: "the first password",
                            hint: "At least 12 characters, not a common password, without their username. Give it to them in person."),
                    ], cancel: "/staff")
            },
            change: { form, fields in
                var validation = Validation()
                if fields["displayName"] == nil { validation.add(field: "displayName", rule: "required", "Enter the full name") }
                if fields["username"] == nil { validation.add(field: "username", rule: "required", "Enter the user name") }
                let role = fields["role"].flatMap(Role.init(rawValue:))
                if role == nil { validation.add(field: "role", rule: "required", "Choose the role") }
                if let role, role.isPremisesStaff, fields["premisesId"] == nil {
                    validation.add(field: "premisesId", rule: "required", "Choose the premises they work at")
                }
                if let role, [.regionalManager, .probationPractitioner].contains(role), fields["regionCode"] == nil {
                    validation.add(field: "regionCode", rule: "required", "Choose the region")
                }
                try validation.check()
                guard let role else { throw DomainError.invalid(field: "role", rule: "required", "Choose the role") }
                let staff = try await form.view.stores.staff.create(
                    .init(
                        username: fields["username"] ?? "", displayName: fields["displayName"] ?? "", email: fields["email"], role: role,
                        premisesID: role.isPremisesStaff ? fields["premisesId"].flatMap(UUID.init(uuidString:)) : nil,
                        regionCode: [.regionalManager, .probationPractitioner].contains(role) ? fields["regionCode"] : nil,
                        team: role == .probationPractitioner ? fields["team"] : nil, password: fields.values["password"]?.first ?? ""),
                    by: form.principal)
                return "/staff?done=added" + (staff.premisesID.map { "&premises=\($0.uuidString.lowercased())" } ?? "")
            })
    }

    /// Every premises the caller may see, a page of 200 at a time.
    static func premises(_ view: WebView, _ principal: Principal) async throws -> [Premises] {
        var all = [Premises]()
        var cursor: String? = nil
        repeat {
            let page = try await view.stores.premises.list(by: principal, page: try PageRequest(limit: 200, cursor: cursor))
            all += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return all
    }

    /// The account of the address; an administrator's own account is not changed here.
    static func account(_ form: DayForm.Context) async throws -> Staff {
        let staff = try await form.view.stores.staff.get(try form.uuid("account"), by: form.principal)
        guard staff.id != form.principal.staffID else {
            throw PageError.badRequest("Your own account is not changed here: another administrator changes it.")
        }
        return staff
    }

    static var status: DayForm {
        DayForm(
            path: "/staff/:id/status", heading: "Change an account", roles: StaffStore.administrators, current: "staff",
            fields: { form, posted in
                let staff = try await Self.account(form)
                var model = Self.status.model(
                    form, caption: "\(staff.displayName) (\(staff.username))",
                    submit: staff.active ? "Deactivate the account" : "Reactivate the account",
                    fields: [],
                    intro: [
                        staff.active
                            ? "A deactivated account cannot sign in, and its sessions end now. Its records stay, with its name."
                            : "The account can sign in again with its password."
                    ], cancel: "/staff")
                model.hidden = [
                    .init(name: "version", value: "\(staff.version)"), .init(name: "active", value: staff.active ? "no" : "yes"),
                ]
                model.isWarning = staff.active
                return model
            },
            change: { form, fields in
                let staff = try await Self.account(form)
                let active = fields["active"] == "yes"
                _ = try await form.view.stores.staff.update(
                    staff.id, expectedVersion: fields["version"].flatMap { Int($0) } ?? staff.version, changes: .init(active: active),
                    by: form.principal)
                return "/staff?done=\(active ? "reactivated" : "deactivated")"
            })
    }

    static var password: DayForm {
        DayForm(
            path: "/staff/:id/password", heading: "Set a new password", roles: StaffStore.administrators, current: "staff",
            fields: { form, _ in
                let staff = try await Self.account(form)
                return Self.password.model(
                    form, caption: "\(staff.displayName) (\(staff.username))", submit: "Set the password",
                    fields: [
                        .password(
                            "password", "New password", name: "the new password",
                            hint:
                                "At least 12 characters, not a common password, without their username. Their sessions end now; give it to them in person."
                        )
                    ], cancel: "/staff")
            },
            change: { form, fields in
                let staff = try await Self.account(form)
                try await form.view.stores.staff.resetPassword(staff.id, to: fields.values["password"]?.first ?? "", by: form.principal)
                return "/staff?done=password"
            })
    }
}
