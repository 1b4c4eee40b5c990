import APIContract
import ApprovedPremises
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import Postgres
import WebView

/// The request context of the service.
public typealias AppRequestContext = BasicRequestContext

/// Builds the service: the pool, the router, and the app that runs them. `ap serve` and the
/// tests build the very same application.
public func buildApplication(
    configuration: ServerConfiguration, logger: Logger
) async throws -> some ApplicationProtocol {
    let pool = PostgresPool(settings: configuration.database, maxConnections: configuration.maxConnections, logger: logger)
    if configuration.migrateOnStart {
        do {
            try await Migrator(pool: pool, migrations: try Migration.load(from: try SQLFolder.locate()), logger: logger).migrate()
        } catch {
            await pool.close()
            throw error
        }
    }
    // Reports read from a replica when one is configured, else from the primary, always through
    // a pool of their own whose statements time out: a long report never takes the night
    // shift's connections, and never hangs a request. Everything else uses the primary's pool.
    var reportSettings = configuration.reportDatabase ?? configuration.database
    reportSettings.statementTimeoutSeconds = configuration.reportTimeoutSeconds
    let reportPool = PostgresPool(
        settings: reportSettings,
        maxConnections: configuration.reportDatabase == nil ? max(2, configuration.maxConnections / 2) : configuration.maxConnections,
        logger: logger)
    let checkpoints: CheckpointSettings
    let retention: RetentionSchedule?
    do {
        checkpoints = try configuration.checkpoints()
        retention = try configuration.retentionSchedule()
    } catch {
        await pool.close()
        throw error
    }
    let breachJob = JobStatus()
    let mailJob = MailJobStatus()
    let metrics = ServiceMetrics(
        pools: [("primary", pool), ("reports", reportPool)], breachJob: breachJob, mailJob: configuration.mail == nil ? nil : mailJob)
    let router = try buildRouter(
        pool: pool, reportPool: reportPool, passwordHasher: PasswordHasher(cost: configuration.bcryptCost),
        publicURL: configuration.publicURL, docsFolder: configuration.docsFolder, checkpoints: checkpoints, metrics: metrics,
        sessionTimes: configuration.sessionTimes,
        clock: configuration.clock,
        logger: logger)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ApprovedPremises"),
        logger: logger)
    app.addServices(
        pool,
        BreachJob(
            pool: pool, interval: .seconds(configuration.breachScanSeconds), status: breachJob, clock: configuration.clock,
            logger: logger))
    app.addServices(reportPool)
    if let mail = configuration.mail {
        app.addServices(
            try MailJob(
                store: NotificationStore(pool: pool), settings: mail,
                publicURL: configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)", status: mailJob, logger: logger)
        )
    }
    if checkpoints.key != nil {
        app.addServices(
            CheckpointJob(
                store: LogChainStore(pool: pool, checkpoints: checkpoints),
                interval: .seconds(configuration.checkpointMinutes * 60), logger: logger))
    }
    if let retention {
        app.addServices(RetentionJob(store: RetentionStore(pool: pool), schedule: retention, interval: .seconds(86_400), logger: logger))
    }
    return app
}

/// The routes of the service over an existing pool: the web view's pages for browsers, the
/// generated API behind authentication, idempotency and problem answers, and the OpenAPI
/// document itself. `publicURL` is the address browsers use (`AP_PUBLIC_URL`); `checkpoints`
/// the key and folder the logs are checkpointed with; `metrics` what `GET /metrics` reports (a
/// registry of the router's own when not given); `clock` what the API takes for now in the night's
/// record (`ServerConfiguration.clock`); `docsFolder` the built documentation, served at `/docs`
/// and linked from the web view's footer when given.
public func buildRouter(
    pool: PostgresPool, reportPool: PostgresPool? = nil, passwordHasher: PasswordHasher,
    publicURL: String? = nil, docsFolder: String? = nil, idempotencyFaults: IdempotencyStore.Faults = .none,
    checkpoints: CheckpointSettings = .none, metrics: ServiceMetrics? = nil, sessionTimes: SessionTimes = SessionTimes(),
    clock: @escaping ServiceClock = { Date() }, logger: Logger
) throws -> Router<AppRequestContext> {
    let stores = Stores(
        pool: pool, reportPool: reportPool, hasher: passwordHasher, idempotencyFaults: idempotencyFaults,
        checkpoints: checkpoints, sessionTimes: sessionTimes)
    let metrics =
        metrics ?? ServiceMetrics(pools: [("primary", pool)] + (reportPool.map { [("reports", $0)] } ?? []), breachJob: JobStatus())
    let handler = APIHandler(pool: pool, stores: stores, clock: clock)
    let document = try APIDocument.yaml()
    let routes = RouteMethods(document: document)
    let router = Router(context: AppRequestContext.self)
    let web = try WebView(stores: stores, publicURL: publicURL, guides: docsFolder != nil, logger: logger)
    if let docsFolder { router.add(middleware: DocsMiddleware(folder: docsFolder)) }
    router.addMiddleware {
        MetricsMiddleware(metrics: metrics, routes: routes)
        web.dispatcher(context: AppRequestContext.self)
        ProblemMiddleware(logger: logger, routes: routes)
        LogRequestsMiddleware(.info)
        AuthenticationMiddleware(sessions: stores.sessions)
        IdempotencyMiddleware(store: stores.idempotency, routes: routes)
    }
    // Prometheus scrapes this on the service's own address; the proxy never serves it to the
    // public side (the nginx configuration Deploy/cluster.sh writes answers it 404).
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
    }
    router.get("/openapi.yaml") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }
    try handler.registerHandlers(
        on: router, configuration: .service, middlewares: [AccessPolicy(), StrictInputMiddleware(document: document)])
    return router
}
