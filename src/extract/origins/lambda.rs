//! AWS Lambda handlers behind API Gateway (or a function URL, or a load balancer): a function
//! whose parameter is typed as the gateway's event (`APIGatewayProxyEvent`,
//! `APIGatewayProxyEventV2`, `APIGatewayProxyEventV2WithJWTAuthorizer`,
//! `LambdaFunctionURLEvent`, `ALBEvent`) is given the request: its `pathParameters`,
//! `queryStringParameters`, `body` and `headers` are the client's, and its `requestContext`
//! is what the gateway put there (the authorizer's claims: the session). Other events (SQS,
//! EventBridge) carry what the application itself sent, and are not read as input.

use super::values::{input, named, Val};
use crate::span::Span;
use swc_ecma_ast::BindingIdent;

/// Whether the parameter `p` is typed as an API Gateway (or function URL, or load balancer)
/// event.
pub(super) fn api_event(p: &BindingIdent) -> bool {
    crate::extract::ast::type_name(p).is_some_and(|t| {
        (t.starts_with("APIGateway") && t.contains("Event"))
            || matches!(t, "LambdaFunctionURLEvent" | "ALBEvent")
    })
}

impl Val {
    /// A property of an API Gateway event (`base_text`: how the code names the event).
    pub(super) fn lambda_member(base_text: Option<&str>, key: &str, span: Span) -> Val {
        let label = match key {
            "pathParameters" => "the route parameters",
            "queryStringParameters" | "multiValueQueryStringParameters" => "the query string",
            "body" => "the request body",
            "headers" | "multiValueHeaders" => "the request headers",
            "cookies" => "the request cookies",
            // The authorizer's claims, the gateway's own record of the request.
            "requestContext" => return Val::Session,
            _ => return Val::Unknown,
        };
        input(label, named(base_text, key), span)
    }
}
