import APClient
import ArgumentParser
import Foundation

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Staff accounts: list, add, reset a password, deactivate (administrators; AP managers list their own).",
        discussion: "Example:  ap staff list --premises DEMO-ELM",
        subcommands: [StaffList.self, StaffAdd.self, StaffResetPassword.self, StaffSetActive.self])
}

extension Client {
    /// Every page of a staff list.
    func allStaff(premisesID: String? = nil) async throws -> [Components.Schemas.Staff] {
        try await allPages { cursor in
            let page = try await listStaff(query: .init(limit: 200, cursor: cursor, premisesId: premisesID)).ok.body.json
            return (page.items, page.nextCursor)
        }
    }

    /// An account by username or id.
    func staff(named nameOrID: String) async throws -> Components.Schemas.Staff {
        let id: String
        if UUID(uuidString: nameOrID) != nil {
            id = nameOrID
        } else {
            guard let found = try await allStaff().first(where: { $0.username == nameOrID.lowercased() }) else {
                throw CLIError("there is no member of staff called \(nameOrID)")
            }
            id = found.id
        }
        return try await getStaff(path: .init(staffId: id)).ok.body.json
    }
}

struct StaffList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List staff accounts.",
        discussion: "Example:  ap staff list --premises DEMO-ELM")

    @OptionGroup var service: ServiceOptions
    @Option(help: "Only the staff of this premises (code or id).") var premises: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, _) = try await service.session()
        let premisesID = try await premises.asyncMap { try await client.premisesID($0) }
        let staff = try await client.allStaff(premisesID: premisesID)
        if json {
            try Terminal.printJSON(staff)
            return
        }
        Terminal.printTable(
            ["USERNAME", "NAME", "ROLE", "ACTIVE"],
            staff.map {
                [$0.username, $0.displayName, $0.role.rawValue, $0.active ? "yes" : "no"]
            })
    }
}

struct StaffAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Open a staff account (administrators).",
        discussion: """
            The password is asked for (twice), or read from the first line of stdin. \
            residential_worker, key_worker and ap_manager need --premises; regional_manager \
            needs --region; probation_practitioner needs --region and --email (and may give --team).

            Example:  ap staff add j.smith --name "Jo Smith" --role residential_worker --premises DEMO-ELM
            Example:  ap staff add p.patel --name "Priya Patel" --role probation_practitioner --region NW \
                --email priya.patel@probation.example --team "Manchester North OMU"
            """)

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The new username: lower-case letters, digits, '.', '_' or '-'.") var username: String
    @Option(help: "The person's name as colleagues see it.") var name: String
    @Option(help: "The role.") var role: Components.Schemas.Role
    @Option(help: "The premises (code or id), for AP staff.") var premises: String?
    @Option(help: "The probation region code, for regional managers and probation practitioners.") var region: String?
    @Option(help: "An email address (a probation practitioner needs one).") var email: String?
    @Option(help: "A probation practitioner's team.") var team: String?
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let (client, _) = try await service.session()
        let password = try Terminal.readPassword(prompt: "New password for \(username): ")
        if isatty(STDIN_FILENO) == 1, try Terminal.readPassword(prompt: "Again: ") != password {
            throw CLIError("the two passwords differ; nothing was changed")
        }
        let premisesID = try await premises.asyncMap { try await client.premisesID($0) }
        let body = Components.Schemas.NewStaff(
            username: username, displayName: name, email: email, role: role,
            premisesId: premisesID, regionCode: region, team: team, password: password)
        let created = try await client.createStaff(body: .json(body)).created.body.json
        if json {
            try Terminal.printJSON(created)
        } else {
            print("Added \(created.username) (\(created.role.rawValue)), id \(created.id).")
        }
    }
}

struct StaffResetPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-password",
        abstract: "Set a new password for an account and end its sessions (administrators).",
        discussion: "The password is asked for, or read from stdin.\n\nExample:  echo \"$NEW_PASSWORD\" | ap staff reset-password j.smith")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The username or id.") var account: String

    func run() async throws {
        let (client, _) = try await service.session()
        let staff = try await client.staff(named: account)
        let password = try Terminal.readPassword(prompt: "New password for \(staff.username): ")
        _ = try await client.resetStaffPassword(path: .init(staffId: staff.id), body: .json(.init(password: password))).noContent
        print("Password changed for \(staff.username); their sessions have ended.")
    }
}

struct StaffSetActive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-active",
        abstract: "Deactivate or reactivate an account (administrators). Deactivating ends its sessions.",
        discussion: "Example:  ap staff set-active j.smith false")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The username or id.") var account: String
    @Argument(help: "true to activate, false to deactivate.") var active: Bool

    func run() async throws {
        let (client, _) = try await service.session()
        let staff = try await client.staff(named: account)
        let updated = try await client.updateStaff(
            path: .init(staffId: staff.id), headers: .init(ifMatch: "\"\(staff.version)\""), body: .json(.init(active: active))
        ).ok.body.json
        print("\(updated.username) is now \(updated.active ? "active" : "inactive").")
    }
}
