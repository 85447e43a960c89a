-- One row per customer with their order history summarised.
-- Cancelled orders do not count; returned orders count but add no revenue.
with customers as (

    select * from {{ ref('stg_customers') }}

),

orders as (

    select * from {{ ref('stg_orders') }}
    where status <> 'cancelled'

),

order_summary as (

    select
        customer_id,
        count(*) as order_count,
        sum(case when status = 'returned' then 0 else amount end) as lifetime_value,
        min(order_date) as first_order_date,
        max(order_date) as most_recent_order_date
    from orders
    group by customer_id

)

select
    customers.customer_id,
    customers.full_name,
    customers.email,
    customers.country_code,
    customers.signup_date,
    coalesce(order_summary.order_count, 0) as order_count,
    coalesce(order_summary.lifetime_value, 0) as lifetime_value,
    order_summary.first_order_date,
    order_summary.most_recent_order_date
from customers
left join order_summary
    on customers.customer_id = order_summary.customer_id
