import Foundation
import HTTPTypes
import Hummingbird

/// Counts and times every request at the edge of the service (after problem answers are made,
/// so the status is the one sent), named by its OpenAPI operation (`page` for a web page,
/// `other` for the rest), with replayed POSTs counted as replays.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let operation = routes.operation(method: request.method.rawValue, path: request.uri.path)
        do {
            let answer = try await next(request, context)
            // A browser's page shares its address with the API's operation; it is counted as a page.
            let named = answer.headers[.contentType]?.hasPrefix("text/html") == true ? "page" : operation ?? "other"
            metrics.request(
                operation: named, status: Int(answer.status.code), duration: ContinuousClock.now - started,
                replayed: answer.headers[.idempotentReplayed] == "true")
            return answer
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.request(operation: operation ?? "other", status: status, duration: ContinuousClock.now - started, replayed: false)
            throw error
        }
    }
}
