// Integration tests run real servers on a shared 2-core machine; a file whose timing-sensitive test fails is
// retried once, with the first failure printed, so a scheduling hiccup does not hide behind a green run.
jest.retryTimes(1, { logErrorsBeforeRetry: true });
