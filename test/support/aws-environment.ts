/**
 * The AWS variables a test sets for the SDK's default chain (the function's own credentials, as
 * Lambda gives them, and loopback endpoints), put back as they were after the test.
 */
export interface AwsEnvironment {
  /** Restores every variable named at the start: set again, or deleted if it was unset. */
  restore(): void;
}

/** Sets `values` (undefined deletes the variable) and remembers what they replaced. */
export function setAwsEnvironment(values: Readonly<Record<string, string | undefined>>): AwsEnvironment {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(values)) {
    saved.set(key, process.env[key]);
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return {
    restore() {
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}

/** The function's own credentials and no session or profile: the chain a Lambda function starts with. */
export function functionCredentials(accessKeyId: string, secretAccessKey: string) {
  return {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
  };
}
