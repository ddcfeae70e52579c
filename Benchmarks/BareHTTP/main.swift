// The HTTP ceiling for `scripts/bench`: a bare Hummingbird server answering GET /health with no
// middleware, run on the same machine as the gateway so the two figures are measured alike.
//
//   bench-bare-http PORT
import Hummingbird

guard CommandLine.arguments.count == 2, let port = Int(CommandLine.arguments[1]) else {
    fatalError("usage: bench-bare-http PORT")
}
let router = Router()
router.get("health") { _, _ in "ok" }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
