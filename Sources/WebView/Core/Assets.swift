import Foundation
import Hummingbird

/// The stylesheet and the small script, read once from the target's resources and served with
/// a long cache life (their address carries no version, so a day, not a year).
enum Assets {
    static let files: [String: (type: String, bytes: [UInt8])] = {
        var files = [String: (type: String, bytes: [UInt8])]()
        guard let folder = Bundle.module.url(forResource: "Assets", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return files }
        for name in names {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
            let type =
                name.hasSuffix(".css")
                ? "text/css; charset=utf-8" : name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "application/octet-stream"
            files[name] = (type, [UInt8](data))
        }
        return files
    }()

    static func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/assets/:name") { _, context in
            guard let name = context.parameters.get("name"), let file = files[name] else {
                throw PageError.notFound("There is no such file.")
            }
            return Response(
                status: .ok, headers: [.contentType: file.type, .cacheControl: "public, max-age=86400"],
                body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
    }
}
