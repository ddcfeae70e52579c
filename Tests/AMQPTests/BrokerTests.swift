import Testing
import TestSupport

/// All broker tests run one after another: the restart test would disturb the others.
@Suite(.serialized, .needs(.broker))
struct BrokerTests {}
