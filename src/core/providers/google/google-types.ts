/**
 * The parts of the Gemini API's wire format this adapter reads and writes (Generative Language API v1beta).
 * Only the fields we use are typed; everything arrives as untrusted JSON, so readers check before use.
 * @see https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse
 */

/** One part of a `Content`: exactly one data field is set (`text`, `inlineData`, `fileData`, `functionCall`, …). */
export interface GooglePart {
  text?: string;
  /** True on thought-summary text (thinking models with `includeThoughts`). */
  thought?: boolean;
  /** Opaque signature of the model's reasoning; must be echoed back on the same part next turn. */
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType: string; fileUri: string };
  functionCall?: { name: string; args?: Record<string, unknown>; id?: string };
  functionResponse?: { name: string; response: Record<string, unknown> };
}

export interface GoogleContent {
  role: 'user' | 'model';
  parts: GooglePart[];
}

export interface GoogleUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
}

export interface GoogleCandidate {
  content?: { parts?: GooglePart[]; role?: string };
  finishReason?: string;
  index?: number;
}

/** One streamed event or the whole non-streamed answer: the same object. */
export interface GoogleGenerateContentResponse {
  candidates?: GoogleCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GoogleUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  /** A google.rpc.Status; arrives inside a 200 stream when generation fails after the headers were sent. */
  error?: GoogleRpcStatus;
}

/**
 * The google.rpc.Status error envelope's inner object.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting
 */
export interface GoogleRpcStatus {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<{ '@type'?: string; reason?: string; retryDelay?: string; [key: string]: unknown }>;
}
