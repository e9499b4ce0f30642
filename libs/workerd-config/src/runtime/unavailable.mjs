/* global Response -- workerd provides the fetch API */
// Stands in for what a bundle binds but cannot serve: a service binding to a script that is not deployed.
export default {
  async fetch(request, env) {
    return new Response(`fireworkers: ${env.MESSAGE}\n`, { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } });
  },
};
