import { z } from 'zod';

/**
 * The one request format every part of Circuit Breaker speaks: OpenAI's Chat Completions request,
 * plus the `circuit_breaker` routing extension. Providers map it to their native shape.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */

const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });
const imagePartSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.object({
    url: z
      .string()
      .refine((url) => url.startsWith('https://') || url.startsWith('http://') || url.startsWith('data:'), {
        message: 'must be an https:// or data: URL',
      }),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
});
const refusalPartSchema = z.object({ type: z.literal('refusal'), refusal: z.string() });

export const contentPartSchema = z.discriminatedUnion('type', [textPartSchema, imagePartSchema]);

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
  /** Extension: Gemini's `thoughtSignature` for this call, echoed back on the next turn. */
  thought_signature: z.string().optional(),
});

const systemMessageSchema = z.object({
  role: z.enum(['system', 'developer']),
  content: z.union([z.string(), z.array(textPartSchema)]),
  name: z.string().optional(),
});
const userMessageSchema = z.object({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(contentPartSchema)]),
  name: z.string().optional(),
});
const assistantMessageSchema = z.object({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPartSchema, refusalPartSchema]))]).nullish(),
  name: z.string().optional(),
  refusal: z.string().nullish(),
  tool_calls: z.array(toolCallSchema).optional(),
  /** Extension: reasoning text of this turn (thinking models), sent back so the provider can continue it. */
  reasoning_content: z.string().nullish(),
  /** Extension: Anthropic's thinking-block `signature` for `reasoning_content`. */
  reasoning_signature: z.string().optional(),
  /** Extension: Gemini's `thoughtSignature` on this turn's text. */
  thought_signature: z.string().optional(),
});
const toolMessageSchema = z.object({
  role: z.literal('tool'),
  tool_call_id: z.string(),
  content: z.union([z.string(), z.array(textPartSchema)]),
});

export const chatMessageSchema = z.discriminatedUnion('role', [
  systemMessageSchema.extend({ role: z.literal('system') }),
  systemMessageSchema.extend({ role: z.literal('developer') }),
  userMessageSchema,
  assistantMessageSchema,
  toolMessageSchema,
]);

export const toolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
]);

export const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** Per-request routing extension, applied on top of the model's configuration. */
export const routingExtensionSchema = z.object({
  routing_strategy: z.enum(['priority', 'weighted', 'latency', 'least-busy', 'cost']).optional(),
  max_cost_per_1k_tokens: z.number().nonnegative().optional(),
  max_latency_ms: z.number().positive().optional(),
  fallback_models: z.array(z.string()).optional(),
  /** Keep this stream's events so a dropped client can resume it (`GET /v1/streams/{id}`); see docs/sessions.md. */
  resumable: z.boolean().optional(),
});

export const chatCompletionRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(chatMessageSchema).min(1),
    tools: z.array(toolSchema).optional(),
    tool_choice: toolChoiceSchema.optional(),
    parallel_tool_calls: z.boolean().optional(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    stop: z.union([z.string(), z.array(z.string())]).nullish(),
    seed: z.number().int().nullish(),
    n: z.number().int().min(1).max(1, 'only n=1 is supported').nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    response_format: responseFormatSchema.optional(),
    reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    user: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    circuit_breaker: routingExtensionSchema.optional(),
  })
  .passthrough();

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ContentPart = z.infer<typeof contentPartSchema>;
export type ToolDefinition = z.infer<typeof toolSchema>;
export type ToolChoice = z.infer<typeof toolChoiceSchema>;
export type ToolCall = z.infer<typeof toolCallSchema>;
export type ResponseFormat = z.infer<typeof responseFormatSchema>;
export type RoutingExtension = z.infer<typeof routingExtensionSchema>;
