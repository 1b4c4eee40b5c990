import Foundation

/// The API contract: `openapi.yaml` in this folder, from which swift-openapi-generator makes
/// the server's protocol and types and the client the `ap` command line uses.
public enum APIDocument {
    /// The OpenAPI document as written, served at `/openapi.yaml`.
    public static func yaml() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }
}
