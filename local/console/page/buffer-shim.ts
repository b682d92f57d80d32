// Injected by esbuild in place of Node's global Buffer, which aws-appsync-subscription-link uses to
// base64-encode the real-time connection header.
export { Buffer } from 'buffer';
