// A small Node HTTP service traced by the SkyWalking Node agent (skywalking-backend-js), configured by its
// environment (SW_AGENT_NAME, SW_AGENT_COLLECTOR_BACKEND_SERVICES, SW_AGENT_SECURE, and the CA in
// GRPC_DEFAULT_SSL_ROOTS_FILE_PATH). Each request is one trace segment; the answer names its id, so a test can
// compare what the agent sent with what the collector received.
const agent = require('skywalking-backend-js').default;
const { ContextManager } = require('skywalking-backend-js');

agent.start();

const http = require('http');
const server = http.createServer((request, response) => {
  const context = ContextManager.current;
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ segmentId: context.segment.segmentId.toString(), traceId: context.traceId() }));
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening on ' + server.address().port));
