// Stands in for raw-body in the Lambda bundles (infra/constructs/lambda-bundle.ts
// LAMBDA_BUNDLE.aliases). Only Bolt's HTTPReceiver reads a request body with it, and the Lambda
// functions never construct that receiver (AwsLambdaReceiver gets the body from API Gateway); the real
// module pulls iconv-lite's encoding tables into every cold start.
'use strict';

module.exports = function rawBody() {
  throw new Error(
    "raw-body is not included in kubeguard Lambda bundles (Bolt's HTTPReceiver is not used there).",
  );
};
