import APClient
import ArgumentParser
import Foundation

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign in and keep the session for the next commands.",
        discussion: """
            Asks for the password (or reads it from stdin), then, for an account that signs in \
            with a second factor, the 6-digit code of your authenticator app (or a recovery \
            code; the next line of stdin). An account that needs a factor and has none is shown \
            the secret to add to an authenticator app, asked for its first code, and given ten \
            recovery codes, once. Keeps the session token in your config folder, readable only \
            by you. A session lasts one shift, and ends sooner when left unused (two hours by \
            default).

            Example:  ap login night.worker --server http://127.0.0.1:8080
            """)

    @OptionGroup var service: ServiceOptions
    @Argument(help: "Your username.") var username: String

    func run() async throws {
        let path = CLIConfig.path()
        var config = try CLIConfig.load(from: path)
        let url = try service.resolveServer(config: config)
        let password = try Terminal.readPassword(prompt: "Password for \(username): ")
        let client = Client(serverURL: url, token: nil)
        let result: Components.Schemas.SignInResult
        do {
            result = try await client.signIn(body: .json(.init(username: username, password: password))).ok.body.json
        } catch {
            guard let problem = CLIError.unwrapping(error) as? CLIError, problem.status == 401, let rule = problem.rules["code"] else {
                throw error
            }
            if rule == "enrol" {
                let enrolment = try await client.enrolSecondFactor(body: .json(.init(username: username, password: password))).ok.body.json
                print(
                    """
                    This account signs in with a second factor. Add this secret to an authenticator app
                    (type it, or paste the URI):

                        \(enrolment.secret)
                        \(enrolment.uri)

                    """)
            }
            let code = try Terminal.readCode(prompt: "Code from your authenticator app (or a recovery code): ")
            result = try await client.signIn(body: .json(.init(username: username, password: password, code: code))).ok.body.json
        }
        if let codes = result.recoveryCodes {
            print("Your recovery codes, each good once if you lose the app. Keep them somewhere safe; they are not shown again:")
            for code in codes { print("    \(code)") }
        }
        config.server = url.absoluteString
        config.token = result.token
        config.username = result.staff.username
        config.expiresAt = result.expiresAt
        config.serviceID = result.serviceId
        try config.save(to: path)
        // What this member of staff saved on this PC while the service could not be reached goes now.
        await Offline.sendWaiting(config: config, server: url)
        print(
            "Signed in as \(result.staff.displayName) (\(result.staff.role.rawValue.replacingOccurrences(of: "_", with: " "))) until \(Terminal.time(result.expiresAt))."
        )
    }
}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "End your session and forget its token.",
        discussion: "Example:  ap logout")

    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let path = CLIConfig.path()
        var config = try CLIConfig.load(from: path)
        guard config.token != nil else {
            print("You were not signed in.")
            return
        }
        let (client, _) = try await service.session()
        var ended = true
        do {
            _ = try await client.signOut().noContent
        } catch  where (CLIError.unwrapping(error) as? CLIError)?.status == 401 {
            // The session had already ended.
        } catch {
            ended = false
            FileHandle.standardError.write(
                Data(
                    "warning: \(CLIError.unwrapping(error)); the token is forgotten here, and ends by itself at the end of the shift\n".utf8
                ))
        }
        config.token = nil
        config.expiresAt = nil
        try config.save(to: path)
        print(ended ? "Signed out." : "Token forgotten.")
    }
}

struct WhoAmI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show who you are signed in as, your role and premises, and when the session ends.",
        discussion: "Example:  ap whoami --json")

    @OptionGroup var service: ServiceOptions
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let (client, config) = try await service.session()
        let me = try await client.getMe().ok.body.json
        if json {
            try Terminal.printJSON(me)
            return
        }
        var premisesName: String? = nil
        if let premisesID = me.staff.premisesId {
            premisesName = (try? await client.getPremises(path: .init(premisesId: premisesID)).ok.body.json).map {
                "\($0.name) (\($0.code))"
            }
        }
        print("\(me.staff.displayName) (\(me.staff.username))")
        print("role:     \(me.staff.role.rawValue.replacingOccurrences(of: "_", with: " "))")
        if let premisesName { print("premises: \(premisesName)") }
        if let region = me.staff.regionCode { print("region:   \(region)") }
        print("server:   \(try service.resolveServer(config: config).absoluteString)")
        print("times:    \(me.timeZone)")
        print("session:  until \(Terminal.time(me.sessionExpiresAt))")
    }
}
