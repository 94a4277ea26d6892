fn main() {
    match fixgen::load::embedded_bundle() {
        Ok(b) => {
            for r in &b.recipes {
                println!("{}\t{}", r.recipe.id, r.recipe.title);
            }
        }
        Err(d) => {
            for x in d {
                eprintln!("{}:{}:{}: {}", x.file, x.line, x.column, x.message);
            }
            std::process::exit(1);
        }
    }
}
