import PaymentService
import ServiceKit

await ServiceMain.run(ServiceManifest.payment, build: buildPaymentService)
