import PaymentService
import ServiceKit

await ServiceMain.run(paymentDescriptor, build: buildPaymentService)
